/* 驾驶舱 /cockpit/: 筛选 — the search and filters of the cockpit's own lists (待派遣, 超期升级, 督办, 吹哨报到).
 *
 * The filter narrows the rows the feed already holds, in the page: words (a ticket number or its tail, words of
 * the address or the description, the category, zone, department or status in words — every word must match),
 * 类别 and 状态 (办理状态 or 时限: 正常 / 预警 / 超期 / 督办). The zone is the header's zone buttons (the feed then
 * holds that zone's tickets only). Each list says how many of its rows are shown, and says so in words when none
 * match; 全选 ticks only the rows shown. The filter stays while the feed refreshes (cockpit.js calls apply() after
 * every draw). 搜全部 asks GET /api/v1/tickets?q=… (every ticket, closed ones too, of the zone shown) and lists
 * the answer in place; Esc closes it. Rows are tagged by cockpit.js through tag(row, ticket).
 */
(function () {
  'use strict';

  const YC = window.YC;
  const LISTS = [['pending-list', '待派遣'], ['escalation-list', '超期升级'], ['supervised-list', '督办工单'],
    ['joint-list', '吹哨报到']];
  const RESULTS = 20;

  function norm(text) { return String(text || '').toLowerCase().replace(/\s+/g, ' ').trim(); }

  /** Mark a list row with what the filter matches: its words, its category and its states. */
  function tag(row, t) {
    const words = [t.number, t.address, t.description, t.category_name, t.zone_name || (t.zone ? '' : '片区外'),
      t.committee_name, t.department_name, t.status ? YC.labelOf('statuses', t.status) : '',
      t.state ? YC.labelOf('ticket_states', t.state) : '', t.level_name];
    row.dataset.find = norm(words.filter(Boolean).join(' '));
    row.dataset.category = t.category_name || '';
    row.dataset.status = t.status || '';
    row.dataset.state = t.state || '';
    return row;
  }

  function form() { return document.getElementById('ck-find'); }

  function wanted() {
    const f = form();
    const [kind, code] = (f.elements.state.value || ':').split(':');
    return { words: norm(f.elements.q.value).split(' ').filter(Boolean), category: f.elements.category.value, kind, code };
  }

  function matches(row, w) {
    if (w.category && row.dataset.category !== w.category) return false;
    if (w.kind === 'status' && row.dataset.status !== w.code) return false;
    if (w.kind === 'state' && row.dataset.state !== w.code) return false;
    const hay = row.dataset.find || '';
    return w.words.every((word) => hay.includes(word));
  }

  /** The 类别 and 状态 options: those of the rows the lists hold now, and the chosen one (kept while it matches none). */
  function refreshOptions(rows) {
    const f = form();
    const fill = (select, first, options, nameOf) => {
      const keep = select.value;
      if (keep && !options.some(([value]) => value === keep)) options.push([keep, nameOf(keep)]);
      const key = JSON.stringify(options);
      if (select.dataset.options !== key) {
        select.dataset.options = key;
        YC.clear(select).appendChild(YC.el('option', { text: first, attrs: { value: '' } }));
        options.forEach(([value, text]) => select.appendChild(YC.el('option', { text, attrs: { value } })));
      }
      select.value = keep;
    };
    const stateName = (value) => {
      const [kind, code] = value.split(':');
      return kind === 'status' ? YC.labelOf('statuses', code) : '时限 · ' + YC.labelOf('ticket_states', code);
    };
    const categories = Array.from(new Set(rows.map((r) => r.dataset.category).filter(Boolean))).sort();
    fill(f.elements.category, '全部类别', categories.map((c) => [c, c]), (c) => c);
    const statuses = Array.from(new Set(rows.map((r) => r.dataset.status).filter(Boolean)));
    const states = ['normal', 'warning', 'overdue', 'supervised'].filter((s) => rows.some((r) => r.dataset.state === s));
    fill(f.elements.state, '全部状态', statuses.map((s) => 'status:' + s).concat(states.map((s) => 'state:' + s))
      .map((v) => [v, stateName(v)]), stateName);
  }

  /** Show the rows that match, say per list how many, and say so when none do. */
  function apply() {
    const f = form();
    if (!f) return;
    const all = [];
    LISTS.forEach(([id]) => all.push(...document.querySelectorAll('#' + id + ' .row')));
    refreshOptions(all);
    const w = wanted();
    const active = w.words.length > 0 || !!w.category || !!w.code;
    let shown = 0;
    LISTS.forEach(([id, name]) => {
      const list = document.getElementById(id);
      if (!list) return;
      const rows = Array.from(list.querySelectorAll('.row'));
      let here = 0;
      rows.forEach((row) => {
        const ok = !active || matches(row, w);
        row.hidden = !ok;
        if (ok) here += 1;
      });
      shown += here;
      let note = list.querySelector('.no-match');
      if (active && rows.length && !here) {
        if (!note) {
          note = YC.el('p', { className: 'no-match', dataset: { testid: 'no-match' } });
          list.appendChild(note);
        }
        note.textContent = '无匹配工单（' + name + '共 ' + rows.length + ' 件，均不符合筛选条件）';
      } else if (note) {
        note.remove();
      }
      const panel = list.closest('.panel');
      const badge = panel && panel.querySelector('.find-count');
      if (badge) {
        badge.hidden = !active || !rows.length;
        badge.textContent = '显示 ' + here + ' / ' + rows.length;
      }
    });
    document.getElementById('find-clear').hidden = !active;
    const summary = document.getElementById('find-summary');
    summary.hidden = !active;
    summary.textContent = active ? (shown ? '筛选后共 ' + shown + ' 件（' + all.length + ' 件中）'
      : '无匹配工单（' + all.length + ' 件均不符合）；“搜全部”查找全部工单，含已结案') : '';
    document.body.dataset.findShown = String(active ? shown : all.length);
    // cockpit.js unticks the rows the filter hides (a bulk action acts on what is seen) and re-counts its bars
    document.dispatchEvent(new CustomEvent('cockpit-find'));
  }

  function clearFilter() {
    const f = form();
    f.elements.q.value = '';
    f.elements.category.value = '';
    f.elements.state.value = '';
    apply();
    f.elements.q.focus();
  }

  // --- 搜全部: the API's search, answered in place ------------------------------------------------

  function zoneName(code) {
    const button = document.querySelector('#zone-bar .zone-btn[data-zone="' + (code || '') + '"]');
    return code ? (button ? button.textContent : code) : '片区外';
  }

  function closeResults() {
    const box = document.getElementById('find-results');
    box.hidden = true;
    form().elements.q.focus();
  }

  async function searchAll() {
    const f = form();
    const q = f.elements.q.value.trim();
    const box = document.getElementById('find-results');
    const params = new URLSearchParams({ limit: String(RESULTS) });
    if (q) params.set('q', q);
    if (document.body.dataset.zone) params.set('zone', document.body.dataset.zone);
    const [kind, code] = (f.elements.state.value || ':').split(':');
    if (kind === 'status') params.set('status', code);
    YC.clear(box);
    box.hidden = false;
    const head = YC.el('div', { className: 'find-results-head' },
      YC.el('h3', { text: '全部工单' + (q ? '中“' + q + '”' : '') + (document.body.dataset.zone ? '（' + zoneName(document.body.dataset.zone) + '）' : '') }),
      YC.el('button', { className: 'find-close', text: '关闭', attrs: { type: 'button', 'aria-label': '关闭搜索结果' },
        on: { click: closeResults } }));
    box.appendChild(head);
    const status = YC.el('p', { className: 'find-status', text: '搜索中…', attrs: { role: 'status' } });
    box.appendChild(status);
    let answer;
    try {
      answer = await YC.api.get('/api/v1/tickets?' + params);
    } catch (err) {
      status.textContent = '搜索失败：' + YC.describeError(err);
      return;
    }
    let rows = answer.data;
    if (f.elements.category.value) rows = rows.filter((t) => t.category_name === f.elements.category.value);
    status.textContent = rows.length ? '共 ' + answer.count + ' 件' + (answer.count > rows.length ? '，显示前 ' + rows.length + ' 件' : '')
      : '无匹配工单' + (q ? '：没有工单的编号、地址或描述含“' + q + '”' : '');
    box.dataset.count = String(answer.count);
    if (rows.length) {
      box.appendChild(YC.el('ul', { className: 'find-list' }, rows.map((t) => YC.el('li', { dataset: { id: t.id } },
        YC.el('a', { className: 'num', text: t.number, attrs: { href: '/desk/tickets/' + t.id, target: '_blank', rel: 'noopener' } }),
        YC.el('span', { className: 'cat', text: t.category_name }),
        YC.el('span', { className: 'st', text: YC.labelOf('statuses', t.status) }),
        YC.el('span', { className: 'zone', text: zoneName(t.zone) }),
        YC.el('span', { className: 'time', text: YC.fmtTime(t.created_at, true) }),
        YC.el('span', { className: 'desc', text: YC.clip((t.address ? t.address + ' · ' : '') + t.description, 80),
          attrs: { title: t.description } })))));
      const first = box.querySelector('a');
      if (first) first.focus();
    }
  }

  function wire() {
    const f = form();
    if (!f) return;
    f.addEventListener('input', apply);
    f.addEventListener('change', apply);
    f.addEventListener('submit', (ev) => { ev.preventDefault(); searchAll(); });
    f.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape' && ev.target.name === 'q' && ev.target.value) { ev.preventDefault(); clearFilter(); }
    });
    document.getElementById('find-clear').addEventListener('click', clearFilter);
    document.getElementById('find-results').addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') closeResults();
    });
  }

  YC.cockpitFind = { tag, apply };
  document.addEventListener('DOMContentLoaded', wire);
}());
