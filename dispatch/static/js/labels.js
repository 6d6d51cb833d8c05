/* 宜川路街道网格化管理 — YC.labels: the Chinese names of the API's codes, owned by the server.
 *
 * The server renders them into every page (base.html, from dispatch/web/labels.py) as
 * <script type="application/json" id="yc-labels">; this file only reads that block. No script keeps a
 * copy of its own: a name changed in Python changes on every page.
 *   YC.labels.statuses        pending_dispatch → 待派遣 …
 *   YC.labels.actions         accept → 签收, report → 上报 … (the transition table's labels, and timeline steps)
 *   YC.labels.roles           inspector → 网格巡查员 … system → 系统
 *   YC.labels.deadline_kinds  response → 签收时限, resolve → 处置时限
 *   YC.labels.limit_units     WH → 工作时, WD → 工作日, NH → 小时, NM → 分钟
 *   YC.labels.ticket_states   normal / warning / overdue / supervised → 正常 / 预警 / 超期 / 督办 (cockpit map)
 *   YC.labels.desk_queues     the desk's tabs: pending → 待签收, warning → 即将超期 …, reviews → 复核, followups → 回访
 *   YC.labels.sources         committee → 约请 (a 居委's report), open311 → 市民上报 …
 *   YC.labels.grades          satisfied / basically_satisfied / dissatisfied → 满意 / 基本满意 / 不满意
 *   YC.labels.evaluation_states, YC.labels.review_statuses  待评价 / 已评价 / 未评价; 待复核 / 已复核返工 / 已驳回
 *   YC.labels.emergency_actions  an emergency's record: declare → 启动应急, checkin → 到岗 … (cockpit)
 *   YC.labels.followup_ratings  satisfied / basically_satisfied / dissatisfied → 满意 / 基本满意 / 不满意 (回访)
 *   YC.labels.followup_reasons  source / sample / reopened → 按来源回访 / 抽样回访 / 返工后回访
 * YC.labelOf(group, code) is the name, or the code itself when the server names no such code.
 */
(function () {
  'use strict';

  const YC = window.YC = window.YC || {};
  const GROUPS = ['statuses', 'actions', 'roles', 'deadline_kinds', 'limit_units', 'ticket_states', 'desk_queues',
    'sources', 'grades', 'evaluation_states', 'review_statuses', 'followup_ratings', 'followup_reasons',
    'emergency_actions'];

  function read() {
    const node = document.getElementById('yc-labels');
    try {
      return node ? JSON.parse(node.textContent) : {};
    } catch (err) {
      return {};
    }
  }

  const found = read();
  const labels = {};
  GROUPS.forEach((group) => { labels[group] = Object.freeze(Object.assign({}, found[group])); });

  /** The Chinese name of `code` in `group` (e.g. labelOf('statuses', 'closed') → 已结案), else the code. */
  function labelOf(group, code) {
    const names = labels[group] || {};
    return Object.prototype.hasOwnProperty.call(names, code) ? names[code] : code;
  }

  /** A time limit of the API in words: "4 WH" → "4 工作时", "30 NM" → "30 分钟" (as Open311 words it). */
  function limitText(limit) {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(WH|WD|NH|NM)\s*$/i.exec(limit || '');
    return m ? m[1] + ' ' + labelOf('limit_units', m[2].toUpperCase()) : String(limit || '');
  }

  /** A chip saying 约请 for a 居委's report (source "committee"), else null: shown wherever tickets are listed. */
  function invitationChip(ticket) {
    if (!ticket || ticket.source !== 'committee') return null;
    const chip = document.createElement('span');
    chip.className = 'chip chip-invite';
    chip.textContent = labelOf('sources', 'committee');
    chip.title = '居委约请：' + (ticket.committee_name || '');
    return chip;
  }

  YC.labels = Object.freeze(labels);
  YC.labelOf = labelOf;
  YC.invitationChip = invitationChip;
  YC.limitText = limitText;
}());
