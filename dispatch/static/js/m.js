/* 宜川路街道网格化管理 — /m/, the grid inspector's phone page: tabs and start-up.
 *
 * Tabs: 上报 (report, m_report.js), 我的上报 (my reports), 核查任务 (verify), 待发送 (outbox) — those
 * three in m_lists.js —, and 回访 (follow-up visits of the zone, m_followup.js); for a 居委: 约请上报, 本居民区,
 * 待评价 (m_evaluate.js) and 待发送 (no 回访); the offline queue is m_queue.js; the service worker that lets the page open
 * offline is m_sw.js (registered here). m_page.js says how the scripts share YC.m.
 */
(function () {
  'use strict';

  const { describeError, toast } = window.YC;
  const M = window.YC.m;
  const { $ } = M;
  const { flushOutbox } = M.queue;
  const report = M.report;
  const { loadMine, loadVerify, renderOutbox } = M.lists;
  const { loadFollowups } = M.followups;
  const RETRY_MS = 20000;

  const committee = M.me.role === 'committee';
  const loaders = { mine: () => loadMine(), verify: () => loadVerify(), followup: () => loadFollowups(),
    outbox: () => renderOutbox(), evaluate: () => M.evaluate.loadEvaluate() };

  function showTab(name) {
    document.querySelectorAll('.tabs [role=tab]').forEach((b) => {
      b.setAttribute('aria-selected', String(b.dataset.tab === name || (name === 'detail' && b.dataset.tab === 'mine')));
    });
    document.querySelectorAll('.tab-panel').forEach((p) => { p.hidden = p.id !== 'tab-' + name; });
    if (name === 'report') report.resizeMap();
    const load = loaders[name];
    if (load) load().catch((err) => toast(describeError(err), 'error'));
  }
  M.showTab = showTab;

  /** 筛选 on the task lists (核查任务, 回访, 待评价, 待发送): the cards the list holds whose words (number, address,
   *  description, category, status — what the card says) contain every word typed; a list with none says so.
   *  Kept while the list reloads; Esc clears. (我的上报 searches the server: its own form.) */
  function wireListFinds() {
    document.querySelectorAll('.list-find-q').forEach((input) => {
      const list = $(input.dataset.list);
      const none = input.parentNode.querySelector('.list-find-none');
      const apply = () => {
        const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
        const cards = Array.from(list.children);
        let shown = 0;
        cards.forEach((card) => {
          const hay = card.textContent.toLowerCase();
          card.hidden = !words.every((w) => hay.includes(w));
          if (!card.hidden) shown += 1;
        });
        none.hidden = !words.length || !cards.length || shown > 0;
        none.textContent = none.hidden ? '' : '无匹配：' + cards.length + ' 项均不含“' + input.value.trim() + '”';
      };
      input.addEventListener('input', apply);
      input.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') { input.value = ''; apply(); } });
      new MutationObserver(apply).observe(list, { childList: true });
    });
  }

  function onNetworkChange() {
    $('offline-banner').hidden = navigator.onLine;
    if (navigator.onLine) flushOutbox();
  }

  async function start() {
    document.querySelectorAll('.tabs [role=tab]').forEach((b) => b.addEventListener('click', () => showTab(b.dataset.tab)));
    $('report-form').addEventListener('submit', report.onSubmit);
    $('locate-btn').addEventListener('click', report.locateMe);
    $('manual-use').addEventListener('click', report.useManualLocation);
    ['manual-lng', 'manual-lat'].forEach((id) => $(id).addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') { ev.preventDefault(); report.useManualLocation(); }  // not the report's submit
    }));
    $('photo').addEventListener('change', report.onPhotoChosen);
    $('photo-clear').addEventListener('click', report.clearPhoto);
    $('category-change').addEventListener('click', report.showCategories);
    $('mine-refresh').addEventListener('click', () => loadMine().catch((e) => toast(describeError(e), 'error')));
    $('verify-refresh').addEventListener('click', () => loadVerify().catch((e) => toast(describeError(e), 'error')));
    $('evaluate-refresh').addEventListener('click', () => M.evaluate.loadEvaluate().catch((e) => toast(describeError(e), 'error')));
    $('followup-refresh').addEventListener('click', () => loadFollowups().catch((e) => toast(describeError(e), 'error')));
    $('detail-back').addEventListener('click', () => showTab('mine'));
    wireListFinds();
    window.YC.photoViewer.attach($('detail')); // a photo of the ticket opens full size, to zoom
    $('outbox-send').addEventListener('click', () => {
      if (!navigator.onLine) toast('当前无网络', 'error'); else flushOutbox();
    });
    window.addEventListener('online', onNetworkChange);
    window.addEventListener('offline', onNetworkChange);
    $('offline-banner').hidden = navigator.onLine;
    setInterval(() => { if (navigator.onLine) flushOutbox(); }, RETRY_MS);

    const results = await Promise.allSettled([report.loadCategories(), report.loadZones(), renderOutbox(),
      ...(committee ? [M.evaluate.loadEvaluate()] : [loadVerify(), loadFollowups()])]);
    results.filter((r) => r.status === 'rejected').forEach((r) => toast(describeError(r.reason), 'error'));
    report.locateIfAllowed();
    document.body.dataset.ready = '1';
    if (navigator.onLine) flushOutbox();
  }

  /* The service worker (/m/sw.js) keeps a copy of this page so it opens offline next time. Browsers
   * offer it on HTTPS and localhost only; elsewhere the page simply needs the network to open. It is
   * registered once the page is ready: its install then finds every file of the page in the HTTP cache
   * instead of downloading them a second time (m_sw.js). */
  function registerWorker() {
    if (!('serviceWorker' in navigator)) return;
    navigator.serviceWorker.register('/m/sw.js', { scope: '/m/' }).catch(() => {});
  }

  start().finally(registerWorker);
}());
