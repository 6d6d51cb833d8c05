/* 驾驶舱 /cockpit/: the header's tools besides the live screen (cockpit.js) — 导出评价 downloads the
 * evaluation per department (GET /api/v1/stats?format=xlsx|csv&group_by=department) of the zone the screen shows (body[data-zone], set by
 * cockpit.js), over the same default period as the screen (the last 30 days). 查找 is a plain form to
 * /desk/open (a whole number opens its ticket; other words are searched in the desk's 全部).
 */
(function () {
  'use strict';

  document.addEventListener('DOMContentLoaded', () => {
    document.querySelectorAll('[data-export]').forEach((link) => {
      const update = () => {
        const params = new URLSearchParams({ format: link.dataset.export, group_by: 'department' });
        if (document.body.dataset.zone) params.set('zone', document.body.dataset.zone);
        link.setAttribute('href', '/api/v1/stats?' + params);
      };
      link.addEventListener('pointerdown', update);
      link.addEventListener('focus', update);
      link.addEventListener('click', update);
    });
  });
}());
