/* 部门工作台 /desk/: the list page — the queue tabs (待签收, 处置中, 协办 … 已退回, and for the command center 挂账,
 * 延期待批, 复核, 回访 and 返工待批), polled every LIST_POLL_MS (every other time while the browser tab is hidden),
 * and the paged tabs 历史 (closed and cancelled) and 全部. One search and filter form narrows every tab
 * (?q=&category=&zone=&status=&created_from=&created_to=, the API's own filters; kept in the URL, so a reload
 * or a shared link keeps them); 导出 downloads the current list with them (/desk/export). The tab comes from
 * the URL's hash (/desk/#history, /desk/#followups). New 待签收 tickets go to YC.deskAlert (badge, title, chime).
 * A 居委's report (an 约请) carries its chip beside the number wherever it is listed.
 * Keyboard: ←/→ move between tabs; Tab reaches each row, Enter opens it.
 */
(function () {
  'use strict';

  const { api, el, clear, toast, fmtTime, describeError, clip, labelOf, invitationChip } = window.YC;
  const { markDrawn, deadlineCell, stateBadge, statusBadge, limitText } = window.YC.desk;
  const { dueText } = window.YC.followup;
  const LIST_POLL_MS = 15000;
  const PAGE = 50;
  const FILTERS = ['q', 'category', 'zone', 'status', 'created_from', 'created_to'];

  function initList(root) {
    let current = 'pending';
    let data = null;       // the queues' answer
    let page = null;       // the answer of a 历史 / 全部 page
    let offset = 0;
    let drawn = false;
    let fetchedAt = Date.now();  // the server's time of the last answer (its Date header)
    const deptSelect = document.getElementById('dept-filter');
    const isDepartment = !deptSelect;  // a department user's own desk: it acts on its 协办 tasks here
    const list = document.getElementById('queue-list');
    const updated = document.getElementById('updated');
    const form = document.getElementById('list-filters');
    const statusSelect = document.getElementById('f-status');
    const statusField = document.getElementById('f-status-field');
    const tabs = Array.from(document.querySelectorAll('.desk-tabs [data-queue]'));
    const fromHash = (location.hash || '').replace('#', '');
    const isListTab = (name) => tabs.some((t) => t.dataset.queue === name && t.dataset.listTab);

    // the form starts from the URL's query string
    const asked = new URLSearchParams(location.search);
    FILTERS.forEach((name) => { if (asked.get(name)) form.elements[name].value = asked.get(name); });
    const askedStatus = asked.get('status') || '';

    function statusOptions() {
      const allowed = current === 'history' ? statusSelect.dataset.history.split(',')
        : Object.keys(window.YC.labels.statuses);
      const chosen = statusSelect.value || askedStatus;
      clear(statusSelect).appendChild(el('option', { text: '全部状态', attrs: { value: '' } }));
      allowed.forEach((s) => statusSelect.appendChild(el('option', { text: labelOf('statuses', s), attrs: { value: s } })));
      statusSelect.value = allowed.includes(chosen) ? chosen : '';
      statusField.hidden = !isListTab(current);
    }

    function filterParams() {
      const params = new URLSearchParams();
      FILTERS.forEach((name) => {
        const value = (form.elements[name].value || '').trim();
        if (value && (name !== 'status' || isListTab(current))) params.set(name, value);
      });
      if (deptSelect && deptSelect.value) params.set('department', deptSelect.value);
      return params;
    }

    function keepInUrl() {
      const params = filterParams();
      const query = params.toString();
      history.replaceState(null, '', location.pathname + (query ? '?' + query : '') + '#' + current);
    }

    function url() {
      const params = filterParams();
      if (!isListTab(current)) return '/desk/queues.json' + (params.toString() ? '?' + params : '');
      params.set('tab', current);
      params.set('limit', String(PAGE));
      params.set('offset', String(offset));
      return '/desk/list.json?' + params;
    }

    function exportLinks() {
      ['xlsx', 'csv'].forEach((fmt) => {
        const params = filterParams();
        params.set('tab', current);
        params.set('format', fmt);
        document.getElementById('export-' + fmt).setAttribute('href', '/desk/export?' + params);
      });
    }

    function select(tab, focus) {
      current = tab.dataset.queue;
      offset = 0;
      statusOptions();
      keepInUrl();
      tabs.forEach((t) => t.setAttribute('tabindex', t === tab ? '0' : '-1'));
      if (focus) tab.focus();
      if (isListTab(current)) { page = null; draw(); load(); } else { draw(); if (!data) load(); }
    }

    tabs.forEach((tab, i) => {
      if (tab.dataset.queue === fromHash) current = fromHash;
      tab.addEventListener('click', () => select(tab, false));
      tab.addEventListener('keydown', (event) => {  // the WAI-ARIA tabs pattern: arrows move, Home/End jump
        const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
        if (to === undefined) return;
        event.preventDefault();
        select(tabs[(to + tabs.length) % tabs.length], true);
      });
    });

    function opener(t) {
      return t.visible ? '/desk/tickets/' + t.id : null;
    }

    function chips(t) {
      const u = t.urged;  // 催办 by the command center in this round: how many, the latest's time and note
      return [statusBadge(t.status), ' ', stateBadge(t.state),
        u ? el('span', { className: 'chip urged', dataset: { testid: 'urged' },
          attrs: { title: '城运中心 ' + (u.by || '') + ' ' + fmtTime(u.at, true) + ' 催办' + (u.note ? '：' + u.note : '') },
          text: '催办' + (u.count > 1 ? ' ×' + u.count : '') }) : null,
        t.supervised ? el('span', { className: 'chip state state-supervised', text: labelOf('ticket_states', 'supervised') }) : null,
        t.emergency ? el('span', { className: 'chip emergency', dataset: { testid: 'emergency-chip' },
          attrs: { title: '按应急预案时限处置：' + t.emergency.plan_name }, text: '应急' }) : null,
        t.rework_count ? el('span', { className: 'chip rework', dataset: { testid: 'rework' },
          attrs: { title: '核查不通过，退回返工 ' + t.rework_count + ' 次' },
          text: '返工' + (t.rework_count > 1 ? ' ×' + t.rework_count : '') }) : null];
    }

    function rowFor(queue, t) {
      const href = opener(t);
      const link = href
        ? el('a', { text: t.number, attrs: { href }, dataset: { ticket: t.id } })
        : el('span', { text: t.number, dataset: { ticket: t.id } });
      const cells = [
        el('td', { className: 'num' }, link, invitationChip(t) ? ' ' : null, invitationChip(t)),
        el('td', { text: t.category_name }),
        el('td', { text: (t.zone_name || '片区外') + (t.committee_name ? ' · ' + t.committee_name : '') }),
        el('td', { className: 'desc', text: clip(t.description, 40), attrs: { title: t.description } }),
      ];
      if (queue === 'returned') {
        cells.push(el('td', { text: fmtTime(t.returned.at, true) }));
        cells.push(el('td', { className: 'desc', text: t.returned.reason || '' }));
        cells.push(el('td', {}, statusBadge(t.status), t.department_name ? ' ' + t.department_name : ''));
      } else if (queue === 'suspended') {
        const s = t.suspended || {};
        cells.push(el('td', { text: fmtTime(s.at, true) }));
        cells.push(el('td', { className: 'desc', text: s.reason || '—' }));
        cells.push(el('td', { text: (labelOf('statuses', s.from) || '—') + (t.department_name ? ' · ' + t.department_name : '') }));
        cells.push(el('td', {}, href ? el('a', { className: 'btn btn-small', text: '恢复 / 作废', attrs: { href } }) : null));
      } else if (queue === 'reviews') {
        const r = t.review || {};
        cells.push(el('td', { text: fmtTime(r.requested_at, true) }));
        cells.push(el('td', { text: r.committee_name || '—' }));
        cells.push(el('td', { className: 'desc', text: r.note || '' }));
        cells.push(el('td', {}, statusBadge(t.status), t.department_name ? ' · ' + t.department_name : ''));
        cells.push(el('td', {}, href ? el('a', { className: 'btn btn-small', text: '复核', attrs: { href } }) : null));
      } else if (queue === 'assists') {
        const a = t.assist;
        const J = window.YC.deskJoint;
        cells[3] = el('td', { className: 'desc', text: clip(a.task, 40), attrs: { title: a.task } });
        cells.push(el('td', { text: a.department_name + (t.department_name ? '（牵头：' + t.department_name + '）' : '') }));
        cells.push(el('td', {}, J.stateChip(a), ...J.lateChips(a)));
        cells.push(el('td', {}, J.deadlineSpan(a.checkin, 'checkin')));
        cells.push(el('td', {}, J.deadlineSpan(a.deadline, 'task')));
        cells.push(el('td', {}, isDepartment ? J.taskControls(t.id, t.version, a, load)
          : el('a', { className: 'btn btn-small', text: '查看', attrs: { href: '/desk/tickets/' + t.id } })));
      } else if (queue === 'extensions') {
        const x = t.extension || {};
        cells.push(el('td', { text: fmtTime(x.requested_at, true) }));
        cells.push(el('td', { text: '延长 ' + limitText(x.amount) }));
        cells.push(el('td', { className: 'desc', text: x.reason || '' }));
        cells.push(el('td', {}, deadlineCell(t, 'resolve'), t.department_name ? ' · ' + t.department_name : ''));
        cells.push(el('td', {}, href ? el('a', { className: 'btn btn-small', text: '审批', attrs: { href } }) : null));
      } else if (queue === 'followups') {
        const f = t.followup;
        cells.push(el('td', { text: t.department_name || '—' }));
        cells.push(el('td', { text: fmtTime(f.opened_at, true) }));
        cells.push(el('td', { text: labelOf('followup_reasons', f.reason) }));
        cells.push(el('td', {}, el('span', { className: 'left' + (f.overdue ? ' overdue' : ''), dataset: { testid: 'due' },
          text: fmtTime(f.due_at, true) + ' · ' + dueText(f) })));
        cells.push(el('td', {}, el('a', { className: 'btn btn-small', text: '记录回访',
          attrs: { href: '/desk/tickets/' + t.id + '#followups' } })));
      } else if (queue === 'reopen_requests') {
        const r = t.reopen;
        cells.push(el('td', { text: t.department_name || '—' }));
        cells.push(el('td', { text: fmtTime(r.requested_at, true) + ' · ' + r.requested_by }));
        cells.push(el('td', { className: 'desc', text: r.reason }));
        cells.push(el('td', {}, el('a', { className: 'btn btn-small', text: '审批',
          attrs: { href: '/desk/tickets/' + t.id } })));
      } else if (queue === 'history' || queue === 'all') {
        cells.push(el('td', { text: fmtTime(t.created_at, true) }));
        cells.push(el('td', { text: t.closed_at ? fmtTime(t.closed_at, true) : '—' }));
        cells.push(el('td', { text: t.department_name || '—' }));
        cells.push(el('td', {}, chips(t)));
      } else {
        cells.push(el('td', { text: fmtTime(t.created_at, true) }));
        cells.push(el('td', {}, deadlineCell(t, 'response')));
        cells.push(el('td', {}, deadlineCell(t, 'resolve')));
        cells.push(el('td', {}, chips(t)));
      }
      const fresh = queue === 'pending' && freshIds.has(t.id);  // arrived since the page opened, not yet looked at
      const row = el('tr', { className: fresh ? 'fresh' : '', dataset: { id: t.id, state: t.state || '' } }, cells);
      if (href) {  // the whole row opens the ticket: a click anywhere, or Enter when it has the focus
        row.tabIndex = 0;
        row.setAttribute('aria-label', '打开工单 ' + t.number);
        row.addEventListener('click', (event) => { if (!event.target.closest('a, button, input, textarea, select, label, form')) location.href = href; });
        row.addEventListener('keydown', (event) => {
          if (event.key === 'Enter' && event.target === row) location.href = href;
        });
      }
      return row;
    }

    const HEADS = {
      returned: ['工单号', '类别', '片区', '描述', '退单时间', '退单原因', '当前状态'],
      suspended: ['工单号', '类别', '片区', '描述', '挂账时间', '挂账原因', '挂账前状态 · 部门', ''],
      extensions: ['工单号', '类别', '片区', '描述', '申请时间', '申请延长', '延期理由', labelOf('deadline_kinds', 'resolve') + ' · 部门', ''],
      reviews: ['工单号', '类别', '片区', '描述', '申请时间', '居委', '不满意说明', '状态 · 部门', ''],
      assists: ['工单号', '类别', '片区', '协办任务', '协办部门', '状态', '报到时限', '完成时限', ''],
      followups: ['工单号', '类别', '片区', '描述', '处置部门', '结案时间', '回访方式', '回访时限', ''],
      reopen_requests: ['工单号', '类别', '片区', '描述', '处置部门', '回访时间 · 回访人', '不满意原因', ''],
      history: ['工单号', '类别', '片区', '描述', '上报时间', '结案时间', '处置部门', '状态'],
      all: ['工单号', '类别', '片区', '描述', '上报时间', '结案时间', '处置部门', '状态'],
    };

    function filtered() {
      return FILTERS.some((name) => (name !== 'status' || isListTab(current)) && form.elements[name].value.trim());
    }

    function emptyText() {
      if (filtered()) return '没有符合条件的工单';
      return { returned: '近' + (data ? data.returned_days : 30) + '天没有退单', suspended: '没有挂账的工单',
        extensions: '没有等待审批的延期申请', reviews: '没有待复核的居委评价', assists: '没有待办的协办任务',
        followups: '没有待回访的工单', reopen_requests: '没有等待审批的返工申请',
        history: '还没有已结案或已作废的工单', all: '没有工单' }[current]
        || '此队列暂无工单';
    }

    function drawTable(tickets, head) {
      const table = el('table', { className: 'tickets', dataset: { list: current } },
        el('caption', { className: 'visually-hidden', text: tabs.find((t) => t.dataset.queue === current).querySelector('.label').textContent }),
        el('thead', {}, el('tr', {}, head.map((h) => el('th', { text: h, attrs: { scope: 'col' } })))),
        el('tbody', {}, tickets.map((t) => rowFor(current, t))));
      // each cell names its column (a phone shows each row as a card: the names go before the values)
      table.querySelectorAll('tbody tr').forEach((tr) => Array.from(tr.children).forEach((td, i) => {
        td.dataset.label = head[i] || '';
      }));
      list.appendChild(table);
    }

    function pager() {
      const pages = Math.max(1, Math.ceil(page.count / PAGE));
      const at = Math.floor(offset / PAGE) + 1;
      const go = (to) => { offset = to; load(); };
      return el('div', { className: 'pager', attrs: { role: 'navigation', 'aria-label': '翻页' } },
        el('button', { className: 'btn btn-small btn-secondary', text: '上一页', dataset: { testid: 'page-prev' },
          attrs: { type: 'button', disabled: offset === 0 }, on: { click: () => go(Math.max(0, offset - PAGE)) } }),
        el('span', { className: 'muted', dataset: { testid: 'page-info' }, text: '第 ' + at + ' / ' + pages + ' 页 · 共 ' + page.count + ' 条' }),
        el('button', { className: 'btn btn-small btn-secondary', text: '下一页', dataset: { testid: 'page-next' },
          attrs: { type: 'button', disabled: offset + PAGE >= page.count }, on: { click: () => go(offset + PAGE) } }));
    }

    function draw() {
      if (!data) return;
      if (!data.queues[current] && !isListTab(current)) current = 'pending'; // e.g. #suspended for a department user
      tabs.forEach((tab) => {
        const q = data.queues[tab.dataset.queue];
        const selected = tab.dataset.queue === current;
        tab.setAttribute('aria-selected', selected ? 'true' : 'false');
        tab.setAttribute('tabindex', selected ? '0' : '-1');
        const badge = tab.querySelector('.count');
        if (tab.dataset.listTab) {
          badge.textContent = selected && page ? String(page.count) : '';
          badge.hidden = !(selected && page);
        } else {
          badge.textContent = q ? String(q.count) : '0';
          tab.classList.toggle('has-items', !!(q && q.count));
          tab.classList.toggle('has-overdue', !!(q && q.overdue));  // 回访: some are past due
        }
      });
      if (!drawn) {  // a tab named in the URL (/desk/#followups) is brought into view where the tabs scroll (phone)
        const chosen = tabs.find((t) => t.dataset.queue === current);
        if (chosen && chosen.scrollIntoView) chosen.scrollIntoView({ block: 'nearest', inline: 'center' });
        drawn = true;
      }
      statusField.hidden = !isListTab(current);
      exportLinks();
      clear(list);
      if (isListTab(current)) {
        if (!page) { list.appendChild(el('p', { className: 'muted', text: '正在加载…' })); return; }
        if (filtered()) list.appendChild(el('p', { className: 'filter-note muted', text: '按条件查到 ' + page.count + ' 条' }));
        drawTable(page.tickets, HEADS[current]);
        if (!page.tickets.length) list.appendChild(el('p', { className: 'empty', text: emptyText() }));
        else list.appendChild(pager());
      } else {
        const q = data.queues[current];
        if (filtered()) list.appendChild(el('p', { className: 'filter-note muted', text: '按条件筛选，本队列 ' + q.count + ' 条' }));
        drawTable(q.tickets, HEADS[current] || ['工单号', '类别', '片区', '描述', '上报时间', '签收时限', '处置时限', '状态']);
        if (!q.tickets.length) {
          list.appendChild(el('p', { className: 'empty', text: emptyText() }));
        } else if (q.count > q.tickets.length) {
          list.appendChild(el('p', { className: 'muted', text: '仅显示前 ' + q.tickets.length + ' 条，共 ' + q.count + ' 条（可用搜索缩小范围）' }));
        }
      }
      updated.textContent = '更新于 ' + fmtTime(new Date(fetchedAt).toISOString(), true);
      markDrawn();
    }

    let seq = 0;  // answers arriving out of order (a quick change of filter): only the newest is drawn
    let freshIds = new Set();  // 待签收 tickets that arrived while the page was open (highlighted once)

    async function load() {
      const mine = ++seq;
      const wantList = isListTab(current);
      try {
        const view = filterParams().toString();  // the alert's baseline starts again when the filters change
        const queues = api.get('/desk/queues.json' + (view ? '?' + view : ''), { withDate: true });
        const listed = wantList ? await api.get(url(), { withDate: true }) : null;
        const answer = await queues;
        if (mine !== seq) return;
        data = answer.data;
        const pending = data.queues.pending ? data.queues.pending.tickets.map((t) => t.id) : [];
        window.YC.deskAlert.seen(pending, view).forEach((id) => freshIds.add(id));
        window.YC.desk.setWorkday(data.workday_minutes);
        fetchedAt = answer.date;
        page = listed ? listed.data : null;
        draw();
      } catch (err) {
        if (mine === seq) toast(describeError(err), 'error');
      }
    }

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      offset = 0;
      keepInUrl();
      load();
    });
    form.addEventListener('reset', () => {
      setTimeout(() => { offset = 0; statusOptions(); keepInUrl(); load(); }, 0);  // after the form has cleared
    });
    ['category', 'zone', 'status', 'created_from', 'created_to'].forEach((name) => {
      form.elements[name].addEventListener('change', () => form.requestSubmit());
    });

    if (deptSelect) {
      // the command center's choice of department lives in the URL (?department=), so a reload keeps it
      const dept = asked.get('department');
      if (dept && Array.from(deptSelect.options).some((o) => o.value === dept)) deptSelect.value = dept;
      deptSelect.addEventListener('change', () => { offset = 0; keepInUrl(); load(); });
    }
    statusOptions();
    load();
    // a hidden tab polls too, at half the pace: a new 待签收 ticket must reach its title and chime
    let ticks = 0;
    setInterval(() => { ticks += 1; if (!document.hidden || ticks % 2 === 0) load(); }, LIST_POLL_MS);
    window.deskList = { refresh: load };  // for tests and operators: poll now
  }

  document.addEventListener('DOMContentLoaded', () => {
    const list = document.querySelector('[data-page="desk-list"]');
    if (list) initList(list);
  });
}());
