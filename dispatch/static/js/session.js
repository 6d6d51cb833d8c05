/* 宜川路街道网格化管理 — signing out: YC.clearOfflineCopies.
 *
 * The offline copy of /m/ (service worker caches yc-m-…, see m_sw.js) holds the signed-in user's page:
 * 退出 deletes it before the sign-out is posted, and so does every page shown to nobody signed in
 * (the sign-in page after 退出 or an expired session). Queued reports (IndexedDB) are kept.
 */
(function () {
  'use strict';

  const YC = window.YC = window.YC || {};

  function clearOfflineCopies() {
    if (!window.caches) return Promise.resolve();
    return caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('yc-m-')).map((n) => caches.delete(n))))
      .catch(() => {});
  }

  const logoutForms = document.querySelectorAll('form[action="/logout"]');
  logoutForms.forEach((form) => form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearOfflineCopies().then(() => form.submit()); // form.submit() fires no second submit event
  }));
  if (!logoutForms.length) clearOfflineCopies();

  YC.clearOfflineCopies = clearOfflineCopies;
}());
