/* 宜川路街道网格化管理 — /m/'s service worker, served as /m/sw.js (scope /m/) by dispatch/web/mobile.py.
 *
 * It lets /m/ open without network once it was loaded online. The server fills in VERSION (a hash of
 * the app-shell files, so a deploy with changed files gets a new cache; old caches are deleted on
 * activate) and SHELL (the URLs kept on install: the page and its static files, each static URL with
 * ?v=<hash of the file>, web/static_files.py).
 *   install   copies the shell from the browser's HTTP cache, not from the network: the page registers
 *             the worker once it is ready, so it has just downloaded every file of the shell, and a
 *             versioned URL's kept copy is the right version (`cache: 'force-cache'`). Only the page
 *             itself is asked again (it is sent no-store: it is the signed-in user's), and the form's
 *             data (zones, categories) come from the HTTP cache too. Nothing is downloaded twice.
 *   navigation to /m/              network first; offline, the kept copy of the page
 *   static files (/static/, /favicon.ico)   cache first; a file not kept yet (a new version) is kept
 *     when the page first asks for it
 *   GET /api/v1/zones, /api/v1/categories  stale-while-revalidate (the report form works offline)
 *   anything else (other /api/ calls, every POST)  not touched: never cached. Reports made offline
 *     wait in the page's IndexedDB queue (m_queue.js), the only offline store of reports.
 * Signing out deletes the caches (session.js: every cache named yc-m-…).
 */
'use strict';

const VERSION = "__SW_VERSION__";
const SHELL = ["__SW_SHELL__"];
const PREFIX = 'yc-m-';
const SHELL_CACHE = `${PREFIX}shell-${VERSION}`;
const DATA_CACHE = `${PREFIX}data-${VERSION}`;
const PAGE = new URL('./', self.registration.scope).pathname; // '/m/'
const DATA_PATHS = new Set(['/api/v1/zones', '/api/v1/categories']);

/** Keep a page response only when it is the page itself (not a redirect to /login, not an error). */
function keepable(response) {
  return response && response.ok && response.type === 'basic' && !response.redirected;
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    const statics = SHELL.filter((url) => url !== PAGE);
    await cache.addAll(statics.map((url) => new Request(url, { cache: 'force-cache' })));
    // The page and the form's data need the signed-in session; a miss here is made up on the next online load.
    const data = await caches.open(DATA_CACHE);
    const asked = [[cache, PAGE, 'no-store'], ...[...DATA_PATHS].map((path) => [data, path, 'force-cache'])];
    await Promise.all(asked.map(async ([into, url, mode]) => {
      try {
        const response = await fetch(new Request(url, { cache: mode, credentials: 'same-origin' }));
        if (keepable(response)) await into.put(url, response);
      } catch (err) { /* offline or refused: not kept */ }
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const keep = new Set([SHELL_CACHE, DATA_CACHE]);
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith(PREFIX) && !keep.has(n)).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

async function pageNetworkFirst(request) {
  try {
    const response = await fetch(request);
    if (keepable(response)) {
      const copy = response.clone();
      caches.open(SHELL_CACHE).then((cache) => cache.put(PAGE, copy)).catch(() => {});
    }
    return response;
  } catch (err) {
    const cache = await caches.open(SHELL_CACHE);
    const kept = await cache.match(PAGE);
    return kept || Response.error();
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') cache.put(request, response.clone()).catch(() => {});
  return response;
}

async function staleWhileRevalidate(event) {
  const { request } = event;
  const cache = await caches.open(DATA_CACHE);
  const kept = await cache.match(request.url);
  const fresh = fetch(request).then((response) => {
    if (response.ok && response.type === 'basic') return cache.put(request.url, response.clone()).then(() => response);
    return response;
  });
  if (kept) {
    event.waitUntil(fresh.catch(() => {}));
    return kept;
  }
  return fresh;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return; // POSTs (reports, 核查, sign-out) always go to the server
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    if (url.pathname === PAGE) event.respondWith(pageNetworkFirst(request));
    return;
  }
  if (url.pathname.startsWith('/api/')) {
    if (DATA_PATHS.has(url.pathname) && !url.search) event.respondWith(staleWhileRevalidate(event));
    return; // every other API call: straight to the network, never from a cache
  }
  if (url.pathname.startsWith('/static/') || url.pathname === '/favicon.ico') {
    event.respondWith(cacheFirst(request));
  }
});
