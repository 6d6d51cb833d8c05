/* 宜川路街道网格化管理 — /m/, the grid inspector's phone page: YC.m, what its scripts share.
 *
 * The page's scripts, loaded in this order by templates/m/index.html, each add one part to YC.m:
 *   m_page.js   YC.m.me (the signed-in user: id, role, zone — from the body's data-*) and YC.m.$ (getElementById)
 *   m_queue.js  YC.m.queue: the offline queue (IndexedDB) and its sender with the Idempotency-Key
 *   m_report.js YC.m.report: the 上报 form — categories, location and zone map, photo, submit
 *   m_lists.js  YC.m.lists: 我的上报 (and the ticket detail), 核查任务, 待发送
 *   m_evaluate.js YC.m.evaluate: a 居委's 待评价 list and the evaluation (评价) form, also in the ticket detail
 *   m_followup.js YC.m.followups: 回访 (with followup.js, the record form every page shares)
 *   m.js        YC.m.showTab, the tabs and start-up
 * A part loaded earlier is taken when a script loads; one loaded later is looked up when it is called
 * (YC.m.lists.loadMine()), which is always after start-up.
 */
(function () {
  'use strict';

  const body = document.body;
  window.YC.m = {
    me: {
      id: Number(body.dataset.userId),
      role: body.dataset.role || 'inspector',
      zone: body.dataset.zone || null,
      zoneName: body.dataset.zoneName || '',
      committee: body.dataset.committee || null, // a 居委's 居民区 (role committee)
      committeeName: body.dataset.committeeName || '',
      workdayMinutes: Number(body.dataset.workdayMinutes) || 480,
    },
    $: (id) => document.getElementById(id),
  };
}());
