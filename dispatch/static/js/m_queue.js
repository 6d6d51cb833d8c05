/* /m/: the offline queue (待发送) — YC.m.queue.
 *
 * A report is written to IndexedDB first (with its Idempotency-Key and photo), then sent; when the
 * network is gone it stays there and is sent on the `online` event, by a retry timer, or at the
 * next page load. The same key is reused on every retry, so a retry never makes a second ticket.
 */
(function () {
  'use strict';

  const { api, ApiError, NetworkError, describeError, toast } = window.YC;
  const M = window.YC.m;
  const { me } = M;

  /* ---------- outbox: IndexedDB store of reports not yet sent ---------- */

  const outbox = (() => {
    const DB = 'yc-m';
    const STORE = 'outbox';
    let dbPromise = null;
    const memory = new Map(); // fallback when IndexedDB is unavailable (kept only while the page is open)

    function promised(req) {
      return new Promise((resolve, reject) => {
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    }

    function open() {
      if (!window.indexedDB) return Promise.resolve(null);
      if (!dbPromise) {
        dbPromise = new Promise((resolve) => {
          const req = indexedDB.open(DB, 1);
          req.onupgradeneeded = () => {
            const store = req.result.createObjectStore(STORE, { keyPath: 'key' });
            store.createIndex('user', 'userId');
          };
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => resolve(null);
          req.onblocked = () => resolve(null);
        });
      }
      return dbPromise;
    }

    async function tx(mode, fn) {
      const db = await open();
      if (!db) return fn(null);
      const t = db.transaction(STORE, mode);
      const done = new Promise((resolve, reject) => {
        t.oncomplete = resolve;
        t.onerror = () => reject(t.error);
        t.onabort = () => reject(t.error);
      });
      const result = await fn(t.objectStore(STORE));
      await done;
      return result;
    }

    return {
      put: (item) => tx('readwrite', (s) => (s ? promised(s.put(item)) : memory.set(item.key, item))),
      remove: (key) => tx('readwrite', (s) => (s ? promised(s.delete(key)) : memory.delete(key))),
      /** This user's waiting reports, oldest first. */
      async mine() {
        const items = await tx('readonly', (s) => (s ? promised(s.index('user').getAll(me.id))
          : [...memory.values()].filter((i) => i.userId === me.id)));
        return items.sort((a, b) => a.createdAt - b.createdAt);
      },
    };
  })();

  /* One sender at a time: the direct send, the timer and the `online` event share this queue. */
  let chain = Promise.resolve();
  function exclusive(fn) {
    const run = chain.then(fn, fn);
    chain = run.catch(() => {});
    return run;
  }

  function retryable(err) {
    return err instanceof NetworkError
      || (err instanceof ApiError && (err.status >= 500 || err.status === 401 || err.status === 408
        || err.status === 429 || err.code === 'csrf'));
  }

  async function sha256Hex(blob) {
    if (!(window.crypto && crypto.subtle)) return null;
    const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  /** Upload the `before` photo once: after an interrupted try, look whether it already arrived. */
  async function uploadBeforePhoto(item) {
    if (item.photoTried) {
      const detail = await api.get(`/api/v1/tickets/${item.ticketId}`);
      const digest = await sha256Hex(item.photo);
      const there = (detail.ticket.photos || []).some((p) => p.stage === 'before'
        && (digest ? p.sha256 === digest : p.size === item.photo.size));
      if (there) return;
    }
    item.photoTried = true;
    await outbox.put(item);
    const form = new FormData();
    form.append('photo', item.photo, item.photoName || 'photo.jpg');
    form.append('stage', 'before');
    await api.upload(`/api/v1/tickets/${item.ticketId}/photos`, form);
  }

  /** Send one report: the event (with its Idempotency-Key), then its photo; then drop it from the outbox. */
  async function sendItem(item) {
    if (!item.ticketId) {
      const res = await api.post('/api/v1/events', item.body, { headers: { 'Idempotency-Key': item.key } });
      item.ticketId = res.ticket.id;
      item.ticket = res.ticket;
      await outbox.put(item);
    }
    if (item.photo) {
      try {
        await uploadBeforePhoto(item);
      } catch (err) {
        if (retryable(err)) throw err;
        item.photoError = describeError(err); // the ticket exists; a refused photo does not block it
      }
    }
    await outbox.remove(item.key);
    return item;
  }

  /** Send every waiting report of this user, oldest first; stop at the first network failure. */
  function flushOutbox() {
    return exclusive(async () => {
      const items = await outbox.mine();
      let sent = 0;
      for (const item of items) {
        if (item.failed) continue;
        if (!navigator.onLine) break;
        try {
          await sendItem(item);
          sent += 1;
          toast(`待发送的上报已送达：${item.ticket.number}`, 'ok');
        } catch (err) {
          if (retryable(err)) {
            item.lastError = describeError(err);
            item.attempts = (item.attempts || 0) + 1;
            await outbox.put(item);
            break;
          }
          item.failed = true;
          item.lastError = describeError(err);
          await outbox.put(item);
        }
      }
      await M.lists.renderOutbox();
      if (sent) M.lists.loadMine().catch(() => {});
      return sent;
    });
  }

  M.queue = { outbox, exclusive, retryable, sendItem, flushOutbox };
}());
