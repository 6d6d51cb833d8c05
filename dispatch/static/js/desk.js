/* 部门工作台 /desk/: what its two pages share — YC.desk (deadline text, status and state badges, markDrawn).
 *
 * The pages load, in this order: the shared scripts (dom.js says which), desk.js (this), then
 * desk_list.js (the queue tabs) or timeline.js, zonemap.js and desk_ticket.js (one ticket: map, photos,
 * 留痕, deadlines, actions). Data comes from /desk/queues.json and /desk/tickets/<id>.json; actions go
 * to the ticket API (POST /api/v1/tickets/<id>/actions, /photos) through YC.api, which adds the CSRF header.
 * Every user-written text reaches the page through YC.el / textContent only.
 * document.body.dataset.ready = "1" after the first draw; data-version changes on every redraw.
 */
(function () {
  'use strict';

  const { el, fmtTime, fmtDuration, labelOf, limitText } = window.YC;

  function markDrawn() {
    document.body.dataset.version = String(Number(document.body.dataset.version || 0) + 1);
    document.body.dataset.ready = '1';
  }

  let workday = null;  // working minutes of one 工作日, from the desk's JSON (workday_minutes)

  /** Set the length of a 工作日 (the desk's JSON says it: 480 with the street's hours). */
  function setWorkday(minutes) { workday = minutes > 0 ? minutes : null; }

  /** Working minutes as 工作日 and hours once a day or more: "20个工作日", "2个工作日3小时", "1个工作日30分". */
  function inWorkdays(minutes) {
    const total = Math.max(0, Math.round(minutes));
    const days = Math.floor(total / workday);
    const rest = total - days * workday;
    const hours = Math.floor(rest / 60);
    return days + '个工作日' + (hours ? hours + '小时' : '') + (rest % 60 ? (rest % 60) + '分' : '');
  }

  /** "剩余 3小时20分(工作时)", "剩余 2个工作日3小时", "已超期", "按期完成 11/25 10:20" … for one deadline of the API. */
  function remainingText(d, suspended) {
    if (!d || (!d.due_at && d.remaining_minutes == null)) return '—';
    if (d.met_at) return (d.overdue ? '超期完成 ' : '按期完成 ') + fmtTime(d.met_at, true);
    if (d.overdue) return '已超期';
    if (d.remaining_minutes == null) return '—';
    const natural = /N[HM]$/i.test(d.limit || '');
    const left = !natural && workday && d.remaining_minutes >= workday ? inWorkdays(d.remaining_minutes)
      : fmtDuration(d.remaining_minutes) + '(' + (natural ? '自然时' : '工作时') + ')';
    const text = '剩余 ' + left
      + (d.provisional ? '（预计）' : '');  // counted over a year whose holidays are not yet official
    return suspended ? '挂账暂停，' + text : text;
  }

  function deadlineCell(ticket, kind) {
    const d = ticket.deadlines && ticket.deadlines[kind];
    const text = remainingText(d, !!ticket.suspended_at);
    const cls = d && d.overdue && !d.met_at ? 'left overdue' : 'left';
    return el('span', { className: cls, text });
  }

  /** The chip of a ticket's deadline state: 即将超期 / 已超期, as the desk's tab it is in; none when normal. */
  function stateBadge(state) {
    if (!state || state === 'normal') return null;
    // an icon as well as the words and the colour: the state is never told by colour alone
    return el('span', { className: 'chip state state-' + state },
      el('i', { className: 'state-icon', text: state === 'overdue' ? '⚠' : '◷', attrs: { 'aria-hidden': 'true' } }),
      labelOf('desk_queues', state));
  }

  function statusBadge(status) {
    return el('span', { className: 'chip status status-' + status, text: labelOf('statuses', status) });
  }

  window.YC.desk = { markDrawn, deadlineCell, stateBadge, statusBadge, limitText, setWorkday };
}());
