/* 部门工作台 /desk/: what its two pages share — YC.desk (deadline text, status and state badges, markDrawn).
 *
 * The pages load, in this order: api.js, desk.js (this), then desk_list.js (the queue tabs) or
 * desk_ticket.js (one ticket: map, photos, 留痕, deadlines, actions). Data comes from /desk/queues.json
 * and /desk/tickets/<id>.json; actions go to the ticket API (POST /api/v1/tickets/<id>/actions, /photos)
 * through YC.api, which adds the CSRF header.
 * Every user-written text reaches the page through YC.el / textContent only.
 * document.body.dataset.ready = "1" after the first draw; data-version changes on every redraw.
 */
(function () {
  'use strict';

  const { el, fmtTime, STATUS_LABELS } = window.YC;
  const STATE_LABELS = { normal: '', warning: '即将超期', overdue: '已超期' };
  const LIMIT_UNITS = { WH: '工作时', WD: '工作日', NH: '小时', NM: '分钟' };

  /** A time limit of the API in words: "4 WH" → "4 工作时", "30 NM" → "30 分钟" (as Open311 words it). */
  function limitText(limit) {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(WH|WD|NH|NM)\s*$/i.exec(limit || '');
    return m ? m[1] + ' ' + LIMIT_UNITS[m[2].toUpperCase()] : String(limit || '');
  }

  function markDrawn() {
    document.body.dataset.version = String(Number(document.body.dataset.version || 0) + 1);
    document.body.dataset.ready = '1';
  }

  /** "剩余 3小时20分(工作时)", "已超期", "按期签收 11/25 10:20" … for one deadline of the API. */
  function remainingText(d, suspended) {
    if (!d || (!d.due_at && d.remaining_minutes == null)) return '—';
    if (d.met_at) return (d.overdue ? '超期完成 ' : '按期完成 ') + fmtTime(d.met_at, true);
    if (d.overdue) return '已超期';
    if (d.remaining_minutes == null) return '—';
    const natural = /N[HM]$/i.test(d.limit || '');
    const total = Math.max(0, Math.round(d.remaining_minutes));
    const hours = Math.floor(total / 60);
    const minutes = total % 60;
    const text = '剩余 ' + (hours ? hours + '小时' : '') + minutes + '分(' + (natural ? '自然时' : '工作时') + ')';
    return suspended ? '挂账暂停，' + text : text;
  }

  function deadlineCell(ticket, kind) {
    const d = ticket.deadlines && ticket.deadlines[kind];
    const text = remainingText(d, !!ticket.suspended_at);
    const cls = d && d.overdue && !d.met_at ? 'left overdue' : 'left';
    return el('span', { className: cls, text });
  }

  function stateBadge(state) {
    if (!state || state === 'normal') return null;
    return el('span', { className: 'chip state state-' + state, text: STATE_LABELS[state] || state });
  }

  function statusBadge(status) {
    return el('span', { className: 'chip status status-' + status, text: STATUS_LABELS[status] || status });
  }

  window.YC.desk = { markDrawn, deadlineCell, stateBadge, statusBadge, limitText };
}());
