/* 部门工作台 /desk/: the list page — the queue tabs (待签收, 处置中 … 退单, and 挂账 for the command
 * center), polled every LIST_POLL_MS (every other time while the browser tab is hidden). The tab comes from
 * the URL's hash (/desk/#suspended). New 待签收 tickets go to YC.deskAlert (badge, title, chime).
 */
(function () {
  'use strict';

  const { api, el, clear, toast, fmtTime, describeError, clip, labelOf } = window.YC;
  const { markDrawn, deadlineCell, stateBadge, statusBadge, limitText } = window.YC.desk;
  const LIST_POLL_MS = 15000;

  function initList(root) {
    let current = 'pending';
    let data = null;
    let fetchedAt = Date.now();  // the server's time of the last answer (its Date header)
    const deptSelect = document.getElementById('dept-filter');
    const list = document.getElementById('queue-list');
    const updated = document.getElementById('updated');
    const fromHash = (location.hash || '').replace('#', '');

    document.querySelectorAll('.desk-tabs [data-queue]').forEach((tab) => {
      if (tab.dataset.queue === fromHash) current = fromHash;
      tab.addEventListener('click', () => {
        current = tab.dataset.queue;
        history.replaceState(null, '', '#' + current);
        draw();
      });
    });

    function url() {
      const dept = deptSelect ? deptSelect.value : '';
      return '/desk/queues.json' + (dept ? '?department=' + encodeURIComponent(dept) : '');
    }

    function rowFor(queue, t) {
      const link = t.visible
        ? el('a', { text: t.number, attrs: { href: '/desk/tickets/' + t.id }, dataset: { ticket: t.id } })
        : el('span', { text: t.number, dataset: { ticket: t.id } });
      const cells = [
        el('td', { className: 'num' }, link),
        el('td', { text: t.category_name }),
        el('td', { text: t.zone_name || '片区外' }),
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
        cells.push(el('td', {}, t.visible
          ? el('a', { className: 'btn btn-small', text: '恢复 / 作废', attrs: { href: '/desk/tickets/' + t.id } }) : null));
      } else if (queue === 'extensions') {
        const x = t.extension || {};
        cells.push(el('td', { text: fmtTime(x.requested_at, true) }));
        cells.push(el('td', { text: '延长 ' + limitText(x.amount) }));
        cells.push(el('td', { className: 'desc', text: x.reason || '' }));
        cells.push(el('td', {}, deadlineCell(t, 'resolve'), t.department_name ? ' · ' + t.department_name : ''));
        cells.push(el('td', {}, t.visible
          ? el('a', { className: 'btn btn-small', text: '审批', attrs: { href: '/desk/tickets/' + t.id } }) : null));
      } else {
        cells.push(el('td', { text: fmtTime(t.created_at, true) }));
        cells.push(el('td', {}, deadlineCell(t, 'response')));
        cells.push(el('td', {}, deadlineCell(t, 'resolve')));
        const u = t.urged;  // 催办 by the command center in this round: how many, the latest's time and note
        cells.push(el('td', {}, statusBadge(t.status), ' ', stateBadge(t.state),
          u ? el('span', { className: 'chip urged', dataset: { testid: 'urged' },
            attrs: { title: '城运中心 ' + (u.by || '') + ' ' + fmtTime(u.at, true) + ' 催办' + (u.note ? '：' + u.note : '') },
            text: '催办' + (u.count > 1 ? ' ×' + u.count : '') }) : null,
          t.supervised ? el('span', { className: 'chip state state-supervised', text: labelOf('ticket_states', 'supervised') }) : null,
          t.rework_count ? el('span', { className: 'chip rework', dataset: { testid: 'rework' },
            attrs: { title: '核查不通过，退回返工 ' + t.rework_count + ' 次' },
            text: '返工' + (t.rework_count > 1 ? ' ×' + t.rework_count : '') }) : null));
      }
      const fresh = queue === 'pending' && freshIds.has(t.id);  // arrived since the page opened, not yet looked at
      return el('tr', { className: fresh ? 'fresh' : '', dataset: { id: t.id, state: t.state || '' } }, cells);
    }

    function draw() {
      if (!data) return;
      if (!data.queues[current]) current = 'pending'; // e.g. #suspended for a department user
      document.querySelectorAll('.desk-tabs [data-queue]').forEach((tab) => {
        const q = data.queues[tab.dataset.queue];
        tab.setAttribute('aria-selected', tab.dataset.queue === current ? 'true' : 'false');
        const badge = tab.querySelector('.count');
        badge.textContent = q ? String(q.count) : '0';
        tab.classList.toggle('has-items', !!(q && q.count));
      });
      const q = data.queues[current];
      clear(list);
      const head = {
        returned: ['工单号', '类别', '片区', '描述', '退单时间', '退单原因', '当前状态'],
        suspended: ['工单号', '类别', '片区', '描述', '挂账时间', '挂账原因', '挂账前状态 · 部门', ''],
        extensions: ['工单号', '类别', '片区', '描述', '申请时间', '申请延长', '延期理由', labelOf('deadline_kinds', 'resolve') + ' · 部门', ''],
      }[current] || ['工单号', '类别', '片区', '描述', '上报时间', '签收时限', '处置时限', '状态'];
      const table = el('table', { className: 'tickets', dataset: { list: current } },
        el('thead', {}, el('tr', {}, head.map((h) => el('th', { text: h })))),
        el('tbody', {}, q.tickets.map((t) => rowFor(current, t))));
      // each cell names its column (a phone shows each row as a card: the names go before the values)
      table.querySelectorAll('tbody tr').forEach((tr) => Array.from(tr.children).forEach((td, i) => {
        td.dataset.label = head[i] || '';
      }));
      list.appendChild(table);
      if (!q.tickets.length) {
        list.appendChild(el('p', { className: 'empty', text: { returned: '近' + data.returned_days + '天没有退单',
          suspended: '没有挂账的工单', extensions: '没有等待审批的延期申请' }[current] || '此队列暂无工单' }));
      } else if (q.count > q.tickets.length) {
        list.appendChild(el('p', { className: 'muted', text: '仅显示前 ' + q.tickets.length + ' 条，共 ' + q.count + ' 条' }));
      }
      updated.textContent = '更新于 ' + fmtTime(new Date(fetchedAt).toISOString(), true);
      markDrawn();
    }

    let seq = 0;  // answers arriving out of order (a quick change of department): only the newest is drawn
    let freshIds = new Set();  // 待签收 tickets that arrived while the page was open (highlighted once)

    async function load() {
      const mine = ++seq;
      try {
        const answer = await api.get(url(), { withDate: true });
        if (mine !== seq) return;
        data = answer.data;
        const pending = data.queues.pending ? data.queues.pending.tickets.map((t) => t.id) : [];
        window.YC.deskAlert.seen(pending).forEach((id) => freshIds.add(id));
        window.YC.desk.setWorkday(data.workday_minutes);
        fetchedAt = answer.date;
        draw();
      } catch (err) {
        if (mine === seq) toast(describeError(err), 'error');
      }
    }

    if (deptSelect) {
      // the command center's choice of department lives in the URL (?department=), so a reload keeps it
      const asked = new URLSearchParams(location.search).get('department');
      if (asked && Array.from(deptSelect.options).some((o) => o.value === asked)) deptSelect.value = asked;
      deptSelect.addEventListener('change', () => {
        const query = deptSelect.value ? '?department=' + encodeURIComponent(deptSelect.value) : '';
        history.replaceState(null, '', location.pathname + query + location.hash);
        load();
      });
    }
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
