/* 宜川路街道网格化管理 — /m/, the grid inspector's phone page.
 *
 * Tabs: 上报 (report), 我的上报 (my reports), 核查任务 (verify), 待发送 (outbox).
 * A report is written to IndexedDB first (with its Idempotency-Key and photo), then sent; when the
 * network is gone it stays there and is sent on the `online` event, by a retry timer, or at the
 * next page load. The same key is reused on every retry, so a retry never makes a second ticket.
 * All user-written text reaches the page through textContent (YC.el), never as HTML.
 */
(function () {
  'use strict';

  const { api, ApiError, NetworkError, describeError, el, clear, toast, fmtTime, uuid,
    STATUS_LABELS, ACTION_LABELS, ROLE_LABELS } = window.YC;

  const body = document.body;
  const me = {
    id: Number(body.dataset.userId),
    zone: body.dataset.zone || null,
    zoneName: body.dataset.zoneName || '',
  };
  const DESCRIPTION_MAX = Number(body.dataset.descriptionMax) || 4000;
  const PHOTO_MAX = Number(body.dataset.photoMax) || 10 * 1024 * 1024;
  const RETRY_MS = 20000;
  const DOWNSCALE_OVER = 1.5 * 1024 * 1024; // camera photos above this are re-encoded at 1920 px
  const $ = (id) => document.getElementById(id);

  const state = {
    categories: [],
    zones: null, // GeoJSON FeatureCollection of the top-level zones
    chart: null,
    category: null,
    location: null, // {lng, lat, crs, source, accuracy}
    photo: null, // Blob
    zoneSeq: 0,
  };

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
      await renderOutbox();
      if (sent) loadMine().catch(() => {});
      return sent;
    });
  }

  async function renderOutbox() {
    const items = await outbox.mine();
    const badge = $('outbox-count');
    badge.textContent = String(items.length);
    badge.hidden = items.length === 0;
    const list = clear($('outbox-list'));
    $('outbox-empty').hidden = items.length > 0;
    $('outbox-status').textContent = items.length ? `${items.length} 条待发送` : '';
    for (const item of items) {
      const li = el('li', { className: 'ticket outbox-item' + (item.failed ? ' failed' : ''), dataset: { key: item.key } },
        el('div', { className: 'row' },
          el('strong', { text: item.categoryName || item.body.category }),
          el('span', { className: 'chip ' + (item.failed ? 'chip-bad' : 'chip-wait'),
            text: item.failed ? '发送失败' : (item.ticketId ? '照片待发送' : '待发送') })),
        el('p', { className: 'desc', text: item.body.description }),
        el('p', { className: 'meta' },
          `${fmtTime(new Date(item.createdAt).toISOString())} · ${item.zoneName || '片区未定'}`,
          item.photo ? ' · 含照片' : ''),
        item.lastError ? el('p', { className: 'meta err', text: item.lastError }) : null,
        item.failed ? el('div', { className: 'actions' },
          el('button', { className: 'btn', attrs: { type: 'button' }, text: '重试',
            on: { click: async () => { item.failed = false; item.lastError = null; await outbox.put(item); flushOutbox(); } } }),
          el('button', { className: 'btn btn-danger', attrs: { type: 'button' }, text: '删除',
            on: { click: async () => { await outbox.remove(item.key); renderOutbox(); } } })) : null);
      list.appendChild(li);
    }
    return items.length;
  }

  /* ---------- tabs ---------- */

  const loaders = { mine: () => loadMine(), verify: () => loadVerify(), outbox: () => renderOutbox() };

  function showTab(name) {
    document.querySelectorAll('.tabs [role=tab]').forEach((b) => {
      b.setAttribute('aria-selected', String(b.dataset.tab === name || (name === 'detail' && b.dataset.tab === 'mine')));
    });
    document.querySelectorAll('.tab-panel').forEach((p) => { p.hidden = p.id !== 'tab-' + name; });
    if (name === 'report' && state.chart) state.chart.resize();
    const load = loaders[name];
    if (load) load().catch((err) => toast(describeError(err), 'error'));
  }

  /* ---------- 上报: category, location, zone, photo, description ---------- */

  async function loadCategories() {
    const res = await api.get('/api/v1/categories');
    state.categories = res.data;
    const groups = new Map();
    for (const c of res.data) {
      const g = c.group || '其他';
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(c);
    }
    const box = clear($('categories'));
    for (const [group, cats] of groups) {
      box.appendChild(el('div', { className: 'cat-group' },
        el('h3', { text: group }),
        el('div', { className: 'cat-grid' }, cats.map((c) => el('button', {
          className: 'cat' + (c.urgent ? ' urgent' : ''),
          attrs: { type: 'button', 'aria-pressed': 'false', title: c.name },
          dataset: { slug: c.slug },
          text: c.name,
          on: { click: () => pickCategory(c) },
        })))));
    }
  }

  function pickCategory(category) {
    state.category = category;
    document.querySelectorAll('#categories .cat').forEach((b) => {
      b.setAttribute('aria-pressed', String(b.dataset.slug === category.slug));
    });
    $('category-picked').textContent = category.name;
    $('categories').hidden = true; // folded away once chosen, so location and photo come into view
    $('category-change').hidden = false;
  }

  function showCategories() {
    $('categories').hidden = false;
    $('category-change').hidden = true;
  }

  async function loadZones() {
    const fc = await api.get('/api/v1/zones');
    state.zones = { type: 'FeatureCollection', features: fc.features.filter((f) => !f.properties.parent) };
    if (!window.echarts) return;
    echarts.registerMap('yichuan', state.zones);
    const chart = echarts.init($('map'), null, { renderer: 'canvas' });
    chart.setOption({
      animation: false,
      geo: {
        map: 'yichuan', roam: true, aspectScale: Math.cos(31.26 * Math.PI / 180), selectedMode: false,
        label: { show: true, fontSize: 11, color: '#24324a' },
        itemStyle: { areaColor: '#e6eef9', borderColor: '#3f6fb0', borderWidth: 1 },
        emphasis: { disabled: true },
        tooltip: { show: false },
      },
      series: [{
        type: 'scatter', coordinateSystem: 'geo', data: [], symbol: 'pin', symbolSize: 26, z: 10,
        itemStyle: { color: '#d4380d' }, silent: true,
      }],
    });
    chart.getZr().on('click', (e) => {
      const point = chart.convertFromPixel('geo', [e.offsetX, e.offsetY]);
      if (point && Number.isFinite(point[0]) && Number.isFinite(point[1])) {
        setLocation({ lng: point[0], lat: point[1], crs: 'wgs84', source: 'map' });
      }
    });
    window.addEventListener('resize', () => chart.resize());
    state.chart = chart;
  }

  function setLocation(loc) {
    state.location = loc;
    const how = loc.source === 'gps' ? `GPS${loc.accuracy ? ' ±' + Math.round(loc.accuracy) + ' m' : ''}` : '地图点选';
    $('loc-text').textContent = `${loc.lng.toFixed(5)}, ${loc.lat.toFixed(5)}（${how}）`;
    $('loc-text').classList.remove('muted');
    if (state.chart) state.chart.setOption({ series: [{ data: [[loc.lng, loc.lat]] }] });
    showZone(loc);
  }

  /** The zone of the point, from the server's index (the one intake uses); a local estimate offline. */
  async function showZone(loc) {
    const seq = ++state.zoneSeq;
    const target = $('zone-name');
    target.textContent = '正在确定…';
    target.className = '';
    try {
      const q = new URLSearchParams({ lng: String(loc.lng), lat: String(loc.lat), crs: loc.crs });
      const res = await api.get('/api/v1/zones/locate?' + q);
      if (seq !== state.zoneSeq) return;
      loc.zoneName = res.zone ? res.zone.name : null;
      target.textContent = res.zone ? res.zone.name + (res.how === 'tolerance' ? '（片区边界附近）' : '')
        : '不在片区范围内（由城运中心派遣）';
      target.className = res.zone ? 'zone-ok' : 'zone-out';
    } catch (err) {
      if (seq !== state.zoneSeq) return;
      const zone = localZone(loc.lng, loc.lat);
      loc.zoneName = zone ? zone.name : null;
      target.textContent = zone ? `${zone.name}（离线估算）` : '未能确定（离线）';
      target.className = zone ? 'zone-ok' : 'zone-out';
    }
  }

  /* Offline fallback only: ray casting on the zone GeoJSON (the server decides when the report arrives). */
  function inRing(x, y, ring) {
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function inPolygon(x, y, rings) {
    return inRing(x, y, rings[0]) && !rings.slice(1).some((hole) => inRing(x, y, hole));
  }
  function localZone(lng, lat) {
    if (!state.zones) return null;
    const hits = state.zones.features.filter((f) => {
      const g = f.geometry;
      if (g.type === 'Polygon') return inPolygon(lng, lat, g.coordinates);
      if (g.type === 'MultiPolygon') return g.coordinates.some((p) => inPolygon(lng, lat, p));
      return false;
    }).map((f) => f.properties);
    hits.sort((a, b) => (a.code < b.code ? -1 : 1));
    return hits[0] || null;
  }

  function locateMe() {
    if (!navigator.geolocation) {
      toast('此设备不支持定位，请在地图上点选', 'error');
      return;
    }
    $('loc-text').textContent = '正在定位…';
    navigator.geolocation.getCurrentPosition(
      (pos) => setLocation({ lng: pos.coords.longitude, lat: pos.coords.latitude, crs: 'wgs84', source: 'gps',
        accuracy: pos.coords.accuracy }),
      (err) => {
        $('loc-text').textContent = '无法获取定位，请在地图上点选';
        toast(err.code === 1 ? '未允许定位：请在浏览器设置中允许，或在地图上点选' : '定位失败，请在地图上点选', 'error');
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  }

  /** Large camera photos are re-encoded (1920 px, JPEG) to save mobile data; anything else as it is. */
  async function preparePhoto(file) {
    if (file.size <= DOWNSCALE_OVER || !window.createImageBitmap) return file;
    try {
      const bitmap = await createImageBitmap(file);
      const scale = Math.min(1, 1920 / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
      return blob && blob.size < file.size ? blob : file;
    } catch (err) {
      return file;
    }
  }

  let previewUrl = null;
  function showPreview(img, blob) {
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = blob ? URL.createObjectURL(blob) : null;
    img.hidden = !blob;
    if (blob) img.src = previewUrl; else img.removeAttribute('src');
  }

  async function onPhotoChosen() {
    const file = $('photo').files[0];
    if (!file) return;
    const photo = await preparePhoto(file);
    if (photo.size > PHOTO_MAX) {
      toast(`照片过大（上限 ${Math.round(PHOTO_MAX / 1048576)} MB）`, 'error');
      clearPhoto();
      return;
    }
    state.photo = photo;
    state.photoName = file.name || 'photo.jpg';
    showPreview($('photo-preview'), photo);
    $('photo-clear').hidden = false;
  }

  function clearPhoto() {
    state.photo = null;
    $('photo').value = '';
    showPreview($('photo-preview'), null);
    $('photo-clear').hidden = true;
  }

  function formError(message) {
    const box = $('report-error');
    box.textContent = message || '';
    box.hidden = !message;
  }

  function reportFromForm() {
    const description = $('description').value.trim();
    if (!state.category) return { error: '请选择事件类别' };
    if (!state.location) return { error: '请定位或在地图上点选位置' };
    if (!description) return { error: '请填写描述' };
    if (description.length > DESCRIPTION_MAX) return { error: `描述最多 ${DESCRIPTION_MAX} 字` };
    const address = $('address').value.trim();
    const { lng, lat, crs } = state.location;
    const item = {
      key: uuid(), // the Idempotency-Key: made once per report, reused by every retry
      userId: me.id,
      createdAt: Date.now(),
      body: { category: state.category.slug, location: { lng, lat, crs }, description,
        occurred_at: new Date().toISOString() },
      photo: state.photo,
      photoName: state.photoName,
      categoryName: state.category.name,
      zoneName: state.location.zoneName || null,
      ticketId: null,
      attempts: 0,
    };
    if (address) item.body.address = address;
    return { item };
  }

  function resetForm() {
    $('description').value = '';
    $('address').value = '';
    clearPhoto();
    state.category = null;
    $('category-picked').textContent = '';
    document.querySelectorAll('#categories .cat').forEach((b) => b.setAttribute('aria-pressed', 'false'));
    showCategories();
  }

  function showResult(item) {
    const t = item.ticket;
    const box = clear($('last-report'));
    const where = t.status === 'duplicate' ? '与已有事件重复，已合并处理'
      : t.department_name ? `已派遣至 ${t.department_name}` : '待城运中心派遣';
    box.appendChild(el('p', { className: 'result-title' }, '上报成功 ', el('strong', { text: t.number })));
    box.appendChild(el('p', { className: 'meta', text: `${t.category_name} · ${zoneLabel(t.zone)} · ${where}` }));
    if (item.photoError) box.appendChild(el('p', { className: 'meta err', text: '照片未能上传：' + item.photoError }));
    box.dataset.number = t.number;
    box.className = 'card result result-ok';
    box.hidden = false;
    window.scrollTo(0, 0);
  }

  function queuedNotice() {
    const box = clear($('last-report'));
    box.appendChild(el('p', { className: 'result-title', text: '已保存到“待发送”，联网后自动发送' }));
    delete box.dataset.number;
    box.className = 'card result result-queued';
    box.hidden = false;
    window.scrollTo(0, 0);
    toast('网络不可用：上报已保存，联网后自动发送', 'info');
  }

  async function onSubmit(event) {
    event.preventDefault();
    formError(null);
    const { item, error } = reportFromForm();
    if (error) {
      formError(error);
      return;
    }
    const button = $('submit-btn');
    button.disabled = true;
    button.textContent = '正在提交…';
    try {
      await outbox.put(item); // first on the phone: nothing is lost if the page dies while sending
      resetForm();
      if (!navigator.onLine) {
        queuedNotice();
        return;
      }
      try {
        await exclusive(() => sendItem(item));
        showResult(item);
        toast(`上报成功：${item.ticket.number}`, 'ok');
        loadMine().catch(() => {});
      } catch (err) {
        if (retryable(err)) {
          item.lastError = describeError(err);
          item.attempts = 1;
          await outbox.put(item);
          queuedNotice();
        } else {
          await outbox.remove(item.key); // refused (e.g. invalid): nothing was created; let the user fix it
          restoreForm(item);
          formError(describeError(err));
        }
      }
    } finally {
      button.disabled = false;
      button.textContent = '提交上报';
      renderOutbox();
    }
  }

  function restoreForm(item) {
    const category = state.categories.find((c) => c.slug === item.body.category);
    if (category) pickCategory(category);
    $('description').value = item.body.description;
    $('address').value = item.body.address || '';
    if (item.photo) {
      state.photo = item.photo;
      state.photoName = item.photoName;
      showPreview($('photo-preview'), item.photo);
      $('photo-clear').hidden = false;
    }
  }

  /* ---------- 我的上报 and the ticket detail ---------- */

  function zoneLabel(code) {
    if (!code) return '片区外';
    const f = state.zones && state.zones.features.find((z) => z.properties.code === code);
    return f ? f.properties.name : code;
  }

  function statusChip(status) {
    return el('span', { className: 'chip status-' + status, text: STATUS_LABELS[status] || status });
  }

  function deadlineText(t) {
    const d = t.deadlines && t.deadlines.resolve;
    if (!d || !d.due_at) return '处置时限：—';
    return `处置时限：${fmtTime(d.due_at, true)}${d.overdue ? '（已超期）' : ''}`;
  }

  function ticketCard(t, onOpen) {
    return el('li', { className: 'ticket', dataset: { id: t.id, number: t.number } },
      el('button', { className: 'ticket-open', attrs: { type: 'button' }, on: { click: () => onOpen(t) } },
        el('div', { className: 'row' }, el('strong', { className: 'number', text: t.number }), statusChip(t.status)),
        el('div', { className: 'row' }, el('span', { className: 'cat-name', text: t.category_name }),
          el('span', { className: 'dept', text: t.department_name || '待派遣' })),
        el('p', { className: 'desc', text: t.description }),
        el('p', { className: 'meta' + (t.deadlines.resolve.overdue ? ' err' : ''), text: deadlineText(t) })));
  }

  async function loadMine() {
    const res = await api.get('/api/v1/tickets?mine=1&limit=100');
    const list = clear($('mine-list'));
    res.data.forEach((t) => list.appendChild(ticketCard(t, openDetail)));
    $('mine-empty').hidden = res.data.length > 0;
    $('mine-total').textContent = `共 ${res.count} 条`;
    return res;
  }

  async function openDetail(summary) {
    showTab('detail');
    const box = clear($('detail'));
    box.appendChild(el('p', { className: 'muted', text: '正在加载…' }));
    let t;
    try {
      t = (await api.get(`/api/v1/tickets/${summary.id}`)).ticket;
    } catch (err) {
      clear(box).appendChild(el('p', { className: 'form-error', text: describeError(err) }));
      return;
    }
    clear(box);
    box.dataset.number = t.number;
    const field = (label, value) => el('div', { className: 'field' }, el('dt', { text: label }), el('dd', { text: value || '—' }));
    box.appendChild(el('div', { className: 'row' }, el('h2', { text: t.number }), statusChip(t.status)));
    box.appendChild(el('dl', { className: 'fields' },
      field('类别', t.category_name), field('片区', zoneLabel(t.zone)), field('处置部门', t.department_name || '待派遣'),
      field('地址', t.address), field('描述', t.description),
      field('响应时限', t.deadlines.response.due_at ? fmtTime(t.deadlines.response.due_at) : null),
      field('处置时限', t.deadlines.resolve.due_at ? fmtTime(t.deadlines.resolve.due_at) + (t.deadlines.resolve.overdue ? '（已超期）' : '') : null),
      field('上报时间', fmtTime(t.created_at))));
    if (t.photos && t.photos.length) {
      box.appendChild(el('h3', { text: '照片' }));
      box.appendChild(el('div', { className: 'photos' }, t.photos.map((p) => el('figure', {},
        el('img', { attrs: { src: p.url, alt: p.stage === 'after' ? '处置后照片' : '处置前照片', loading: 'lazy' } }),
        el('figcaption', { text: p.stage === 'after' ? '处置后' : '处置前' })))));
    }
    box.appendChild(el('h3', { text: '处理过程' }));
    box.appendChild(el('ol', { className: 'timeline' }, (t.timeline || []).map((e) => el('li', {},
      el('div', { className: 'row' }, el('strong', { text: ACTION_LABELS[e.action] || e.action }),
        el('span', { className: 'meta', text: fmtTime(e.at) })),
      el('p', { className: 'meta', text: `${!e.actor || e.actor === 'system' ? '系统' : e.actor}${e.actor_role && ROLE_LABELS[e.actor_role] ? '（' + ROLE_LABELS[e.actor_role] + '）' : ''}`
        + (e.to_status && e.to_status !== e.from_status ? ` → ${STATUS_LABELS[e.to_status] || e.to_status}` : '') }),
      e.note ? el('p', { className: 'note', text: e.note }) : null))));
  }

  /* ---------- 核查任务 ---------- */

  async function loadVerify() {
    const q = new URLSearchParams({ status: 'resolved', limit: '100' });
    if (me.zone) q.set('zone', me.zone);
    const res = await api.get('/api/v1/tickets?' + q);
    $('verify-scope').textContent = me.zone ? `${me.zoneName || me.zone} · 已处置待核查 ${res.count} 条` : `已处置待核查 ${res.count} 条`;
    const badge = $('verify-count');
    badge.textContent = String(res.count);
    badge.hidden = res.count === 0;
    const list = clear($('verify-list'));
    res.data.forEach((t) => list.appendChild(verifyCard(t)));
    $('verify-empty').hidden = res.data.length > 0;
    return res;
  }

  function verifyCard(t) {
    const photoInput = el('input', { attrs: { type: 'file', accept: 'image/*', capture: 'environment' } });
    const preview = el('img', { className: 'photo-preview', attrs: { alt: '核查照片预览', hidden: true } });
    const note = el('textarea', { attrs: { rows: '2', maxlength: '2000', placeholder: '核查说明（不通过时必填）' } });
    const error = el('p', { className: 'form-error', attrs: { role: 'alert', hidden: true } });
    let photo = null;
    photoInput.addEventListener('change', async () => {
      const file = photoInput.files[0];
      photo = file ? await preparePhoto(file) : null;
      if (photo) {
        preview.src = URL.createObjectURL(photo);
        preview.hidden = false;
      }
    });
    note.addEventListener('input', () => { error.hidden = true; });
    const buttons = [];
    const decide = async (passed) => {
      error.hidden = true;
      if (!photo) return showErr('请先拍摄核查现场照片');
      if (!passed && !note.value.trim()) return showErr('不通过时请填写原因');
      buttons.forEach((b) => { b.disabled = true; });
      try {
        const form = new FormData();
        form.append('photo', photo, 'verify.jpg');
        form.append('stage', 'after');
        await api.upload(`/api/v1/tickets/${t.id}/photos`, form);
        const res = await api.post(`/api/v1/tickets/${t.id}/actions`,
          { action: 'verify', passed, note: note.value.trim() || null });
        toast(passed ? `${t.number} 核查通过，已结案` : `${t.number} 核查不通过，已退回返工`, 'ok');
        card.dataset.result = res.ticket.status;
        await loadVerify();
      } catch (err) {
        showErr(describeError(err));
      } finally {
        buttons.forEach((b) => { b.disabled = false; });
      }
      return null;
    };
    function showErr(message) {
      error.textContent = message;
      error.hidden = false;
    }
    const pass = el('button', { className: 'btn btn-primary', attrs: { type: 'button' }, text: '通过', on: { click: () => decide(true) } });
    const fail = el('button', { className: 'btn btn-danger', attrs: { type: 'button' }, text: '不通过', on: { click: () => decide(false) } });
    buttons.push(pass, fail);
    const panel = el('div', { className: 'verify-panel', attrs: { hidden: true } },
      el('label', { className: 'photo-pick btn' }, '拍摄现场照片', photoInput), preview, note, error,
      el('div', { className: 'actions' }, pass, fail));
    const card = el('li', { className: 'ticket verify-item', dataset: { id: t.id, number: t.number } },
      el('div', { className: 'row' }, el('strong', { className: 'number', text: t.number }), statusChip(t.status)),
      el('div', { className: 'row' }, el('span', { className: 'cat-name', text: t.category_name }),
        el('span', { className: 'dept', text: t.department_name || '—' })),
      el('p', { className: 'desc', text: t.description }),
      t.address ? el('p', { className: 'meta', text: t.address }) : null,
      el('p', { className: 'meta', text: `处置完成：${fmtTime(t.resolved_at, true)}` }),
      el('div', { className: 'actions' },
        el('button', { className: 'btn', attrs: { type: 'button' }, text: '现场核查',
          on: { click: () => { panel.hidden = !panel.hidden; } } }),
        el('button', { className: 'btn-link', attrs: { type: 'button' }, text: '详情', on: { click: () => openDetail(t) } })),
      panel);
    return card;
  }

  /* ---------- start ---------- */

  function onNetworkChange() {
    $('offline-banner').hidden = navigator.onLine;
    if (navigator.onLine) flushOutbox();
  }

  async function start() {
    document.querySelectorAll('.tabs [role=tab]').forEach((b) => b.addEventListener('click', () => showTab(b.dataset.tab)));
    $('report-form').addEventListener('submit', onSubmit);
    $('locate-btn').addEventListener('click', locateMe);
    $('photo').addEventListener('change', onPhotoChosen);
    $('photo-clear').addEventListener('click', clearPhoto);
    $('category-change').addEventListener('click', showCategories);
    $('mine-refresh').addEventListener('click', () => loadMine().catch((e) => toast(describeError(e), 'error')));
    $('verify-refresh').addEventListener('click', () => loadVerify().catch((e) => toast(describeError(e), 'error')));
    $('detail-back').addEventListener('click', () => showTab('mine'));
    $('outbox-send').addEventListener('click', () => {
      if (!navigator.onLine) toast('当前无网络', 'error'); else flushOutbox();
    });
    window.addEventListener('online', onNetworkChange);
    window.addEventListener('offline', onNetworkChange);
    $('offline-banner').hidden = navigator.onLine;
    setInterval(() => { if (navigator.onLine) flushOutbox(); }, RETRY_MS);

    const results = await Promise.allSettled([loadCategories(), loadZones(), renderOutbox(), loadVerify()]);
    results.filter((r) => r.status === 'rejected').forEach((r) => toast(describeError(r.reason), 'error'));
    if (navigator.geolocation && navigator.permissions) {
      navigator.permissions.query({ name: 'geolocation' })
        .then((p) => { if (p.state === 'granted' && !state.location) locateMe(); })
        .catch(() => {});
    }
    body.dataset.ready = '1';
    if (navigator.onLine) flushOutbox();
  }

  start();
}());
