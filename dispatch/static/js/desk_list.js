/* 部门工作台 /desk/: the list page — the queue tabs (待签收, 处置中 … 退单, and for the command center 挂账,
 * 延期待批, 复核, 回访 and 返工待批), polled every LIST_POLL_MS. The tab comes from the URL's hash (/desk/#suspended).
 * A 居委's report (an 约请) carries its chip beside the number wherever it is listed.
 */
(function () {
  'use strict';

  const { api, el, clear, toast, fmtTime, describeError, clip, labelOf, invitationChip } = window.YC;
  const { markDrawn, deadlineCell, stateBadge, statusBadge, limitText } = window.YC.desk;
  const { dueText } = window.YC.followup;
  const LIST_POLL_MS = 15000;

  function initList(root) {
    let current = 'pending';
    let data = null;
    let drawn = false;
    let fetchedAt = Date.now();  // the server's time of the last answer (its Date header)
    const deptSelect = document.getElementById('dept-filter');
    const isDepartment = !deptSelect;  // a department user's own desk: it acts on its 协办 tasks here
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
        cells.push(el('td', {}, t.visible
          ? el('a', { className: 'btn btn-small', text: '恢复 / 作废', attrs: { href: '/desk/tickets/' + t.id } }) : null));
      } else if (queue === 'reviews') {
        const r = t.review || {};
        cells.push(el('td', { text: fmtTime(r.requested_at, true) }));
        cells.push(el('td', { text: r.committee_name || '—' }));
        cells.push(el('td', { className: 'desc', text: r.note || '' }));
        cells.push(el('td', {}, statusBadge(t.status), t.department_name ? ' · ' + t.department_name : ''));
        cells.push(el('td', {}, t.visible
          ? el('a', { className: 'btn btn-small', text: '复核', attrs: { href: '/desk/tickets/' + t.id } }) : null));
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
        cells.push(el('td', {}, t.visible
          ? el('a', { className: 'btn btn-small', text: '审批', attrs: { href: '/desk/tickets/' + t.id } }) : null));
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
      } else {
        cells.push(el('td', { text: fmtTime(t.created_at, true) }));
        cells.push(el('td', {}, deadlineCell(t, 'response')));
        cells.push(el('td', {}, deadlineCell(t, 'resolve')));
        cells.push(el('td', {}, statusBadge(t.status), ' ', stateBadge(t.state),
          t.supervised ? el('span', { className: 'chip state state-supervised', text: labelOf('ticket_states', 'supervised') }) : null,
          t.emergency ? el('span', { className: 'chip emergency', dataset: { testid: 'emergency-chip' },
            attrs: { title: '按应急预案时限处置：' + t.emergency.plan_name }, text: '应急' }) : null,
          t.rework_count ? el('span', { className: 'chip rework', dataset: { testid: 'rework' },
            attrs: { title: '核查不通过，退回返工 ' + t.rework_count + ' 次' },
            text: '返工' + (t.rework_count > 1 ? ' ×' + t.rework_count : '') }) : null));
      }
      return el('tr', { dataset: { id: t.id, state: t.state || '' } }, cells);
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
        tab.classList.toggle('has-overdue', !!(q && q.overdue));  // 回访: some are past due
      });
      const q = data.queues[current];
      if (!drawn) {  // a tab named in the URL (/desk/#followups) is brought into view where the tabs scroll (phone)
        const chosen = document.querySelector('.desk-tabs [aria-selected=true]');
        if (chosen && chosen.scrollIntoView) chosen.scrollIntoView({ block: 'nearest', inline: 'center' });
        drawn = true;
      }
      clear(list);
      const head = {
        returned: ['工单号', '类别', '片区', '描述', '退单时间', '退单原因', '当前状态'],
        suspended: ['工单号', '类别', '片区', '描述', '挂账时间', '挂账原因', '挂账前状态 · 部门', ''],
        extensions: ['工单号', '类别', '片区', '描述', '申请时间', '申请延长', '延期理由', labelOf('deadline_kinds', 'resolve') + ' · 部门', ''],
        reviews: ['工单号', '类别', '片区', '描述', '申请时间', '居委', '不满意说明', '状态 · 部门', ''],
        assists: ['工单号', '类别', '片区', '协办任务', '协办部门', '状态', '报到时限', '完成时限', ''],
        followups: ['工单号', '类别', '片区', '描述', '处置部门', '结案时间', '回访方式', '回访时限', ''],
        reopen_requests: ['工单号', '类别', '片区', '描述', '处置部门', '回访时间 · 回访人', '不满意原因', ''],
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
          suspended: '没有挂账的工单', extensions: '没有等待审批的延期申请', reviews: '没有待复核的居委评价',
          assists: '没有待办的协办任务', followups: '没有待回访的工单',
          reopen_requests: '没有等待审批的返工申请' }[current] || '此队列暂无工单' }));
      } else if (q.count > q.tickets.length) {
        list.appendChild(el('p', { className: 'muted', text: '仅显示前 ' + q.tickets.length + ' 条，共 ' + q.count + ' 条' }));
      }
      updated.textContent = '更新于 ' + fmtTime(new Date(fetchedAt).toISOString(), true);
      markDrawn();
    }

    let seq = 0;  // answers arriving out of order (a quick change of department): only the newest is drawn

    async function load() {
      const mine = ++seq;
      try {
        const answer = await api.get(url(), { withDate: true });
        if (mine !== seq) return;
        data = answer.data;
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
    setInterval(() => { if (!document.hidden) load(); }, LIST_POLL_MS);
  }

  document.addEventListener('DOMContentLoaded', () => {
    const list = document.querySelector('[data-page="desk-list"]');
    if (list) initList(list);
  });
}());
