/* /m/: the 回访 tab — YC.m.followups: the 回访 of the inspector's zone not yet recorded (soonest due first,
 * time left or how late), each with the record form (YC.followup.form). The command center sees every zone's.
 */
(function () {
  'use strict';

  const { api, el, clear, toast, fmtTime, labelOf } = window.YC;
  const { dueText, form } = window.YC.followup;
  const M = window.YC.m;
  const { me, $ } = M;

  function card(f) {
    const panel = el('div', { className: 'followup-panel', attrs: { hidden: true } });
    const item = el('li', { className: 'ticket followup-item' + (f.overdue ? ' overdue' : ''),
      dataset: { id: f.id, number: f.number } },
      el('div', { className: 'row' }, el('strong', { className: 'number', text: f.number }),
        el('span', { className: 'chip ' + (f.overdue ? 'chip-bad' : 'chip-wait'), dataset: { testid: 'due' },
          text: dueText(f) })),
      el('div', { className: 'row' }, el('span', { className: 'cat-name', text: f.category_name }),
        el('span', { className: 'dept', text: f.department_name || '—' })),
      el('p', { className: 'desc', text: f.description }),
      f.address ? el('p', { className: 'meta', text: f.address } ) : null,
      el('p', { className: 'meta', text: '结案：' + fmtTime(f.opened_at, true) + ' · 回访截止：' + fmtTime(f.due_at, true)
        + ' · ' + labelOf('followup_reasons', f.reason) }),
      el('div', { className: 'actions' },
        el('button', { className: 'btn', text: '记录回访', attrs: { type: 'button' },
          on: { click: () => { panel.hidden = !panel.hidden; item.classList.toggle('checking', !panel.hidden); } } }),
        el('button', { className: 'btn-link', text: '详情', attrs: { type: 'button' },
          on: { click: () => M.lists.openDetail({ id: f.ticket_id }) } })),
      panel);
    panel.appendChild(form(f, async (answer) => {
      const v = answer.followup;
      toast(f.number + ' 回访已记录' + (v.reopen_request === 'pending' ? '，不满意已提交城运中心审批返工' : ''), 'ok');
      await loadFollowups();
    }));
    return item;
  }

  async function loadFollowups() {
    const res = await api.get('/api/v1/followups?state=due');
    const overdue = res.data.filter((f) => f.overdue).length;
    $('followup-scope').textContent = (me.zone ? (me.zoneName || me.zone) + ' · ' : '') + '待回访 ' + res.count + ' 条'
      + (overdue ? '，其中已超期 ' + overdue + ' 条' : '');
    const badge = $('followup-count');
    badge.textContent = String(res.count);
    badge.hidden = res.count === 0;
    badge.classList.toggle('badge-warn', overdue > 0);
    const list = $('followup-list');
    const open = new Map(Array.from(list.querySelectorAll('.followup-item.checking'))
      .map((node) => [node.dataset.id, node]));  // a form being filled in stays as it is
    clear(list);
    res.data.forEach((f) => list.appendChild(open.get(String(f.id)) || card(f)));
    $('followup-empty').hidden = res.data.length > 0;
    return res;
  }

  M.followups = { loadFollowups };
}());
