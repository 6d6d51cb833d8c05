/* 宜川路街道网格化管理 — /m/, the grid inspector's phone page: YC.m, what its scripts share.
 *
 * The page's scripts, loaded in this order by templates/m/index.html, each add one part to YC.m:
 *   m_page.js   YC.m.me (the signed-in user: id, role, zone — from the body's data-*) and YC.m.$ (getElementById)
 *   m_queue.js  YC.m.queue: the offline queue (IndexedDB) and its sender with the Idempotency-Key
 *   m_report.js YC.m.report: the 上报 form — categories, location and zone map, photo, submit
 *   m_lists.js  YC.m.lists: 我的上报 (and the ticket detail), 核查任务, 待发送
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
    },
    $: (id) => document.getElementById(id),
  };
}());
