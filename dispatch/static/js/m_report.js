/* /m/: the 上报 form — YC.m.report: category (and its own questions, m_questions.js), location (GPS or a
 * tap on the zone map, or coordinates typed without the map: 输入坐标), zone and 居民区, photo, description; a submitted report goes into the offline queue first,
 * then is sent.
 * All user-written text reaches the page through textContent (YC.el), never as HTML.
 */
(function () {
  'use strict';

  const YC = window.YC;
  const { api, describeError, el, clear, toast, uuid } = YC;
  const M = window.YC.m;
  const { me, $ } = M;
  const { outbox, exclusive, retryable, sendItem } = M.queue;

  const body = document.body;
  const DESCRIPTION_MAX = Number(body.dataset.descriptionMax) || 4000;
  const PHOTO_MAX = Number(body.dataset.photoMax) || 10 * 1024 * 1024;
  const DOWNSCALE_OVER = 1.5 * 1024 * 1024; // camera photos above this are re-encoded at 1920 px
  const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp']; // what the server takes

  const state = {
    categories: [],
    zones: null, // GeoJSON FeatureCollection of the top-level zones
    chart: null,
    category: null,
    location: null, // {lng, lat, crs, source, accuracy}
    photo: null, // Blob
    zoneSeq: 0,
  };

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
    M.questions.render($('category-questions'), category);
    $('categories').hidden = true; // folded away once chosen, so location and photo come into view
    $('category-change').hidden = false;
  }

  function showCategories() {
    $('categories').hidden = false;
    $('category-change').hidden = true;
  }

  async function loadZones() {
    state.zones = await YC.zoneMap.load();
    if (!window.echarts) return;
    const chart = echarts.init($('map'), null, { renderer: 'canvas' });
    YC.zoneMap.attachBase(chart); // 底图 under the zones when config/map.toml names one
    chart.setOption({
      animation: false,
      geo: YC.zoneMap.geo('light', { label: { fontSize: 11 }, emphasis: { disabled: true }, tooltip: { show: false } }),
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

  const CRS_NAMES = { wgs84: 'WGS-84', gcj02: 'GCJ-02', bd09: 'BD-09' };

  function setLocation(loc) {
    state.location = loc;
    const how = loc.source === 'gps' ? `GPS${loc.accuracy ? ' ±' + Math.round(loc.accuracy) + ' m' : ''}`
      : loc.source === 'manual' ? '手工输入，' + CRS_NAMES[loc.crs] : '地图点选';
    $('loc-text').textContent = `经度 ${loc.lng.toFixed(5)}，纬度 ${loc.lat.toFixed(5)}（${how}）`;
    $('loc-text').classList.remove('muted');
    // the pin: a WGS-84 point at once; another system's once the server has converted it (showZone)
    if (state.chart) state.chart.setOption({ series: [{ data: loc.crs === 'wgs84' ? [[loc.lng, loc.lat]] : [] }] });
    showZone(loc);
  }

  /** 不用地图：输入坐标 — a point typed or pasted ("121.4288,31.2551"), in the system of the app it came from. */
  function useManualLocation() {
    const error = $('manual-error');
    let lngText = $('manual-lng').value.trim();
    let latText = $('manual-lat').value.trim();
    const pair = lngText.split(/[,，\s]+/).filter(Boolean);
    if (pair.length === 2 && !latText) [lngText, latText] = pair;
    const lng = Number(lngText);
    const lat = Number(latText);
    const say = (message) => { error.textContent = message; error.hidden = !message; };
    if (!lngText || !latText || !Number.isFinite(lng) || !Number.isFinite(lat)) {
      say('请填写经度和纬度（数字，如 121.4288 和 31.2551）');
      return;
    }
    if (lng < 73 || lng > 136 || lat < 3 || lat > 54) {
      say(lat >= 73 && lat <= 136 && lng >= 3 && lng <= 54 ? '经度和纬度填反了：经度约 121，纬度约 31'
        : '坐标不在国内范围：经度约 121，纬度约 31');
      return;
    }
    say('');
    $('manual-lng').value = String(lng);
    $('manual-lat').value = String(lat);
    setLocation({ lng, lat, crs: $('manual-crs').value, source: 'manual' });
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
      if (state.chart && loc.crs !== 'wgs84' && res.location) {
        state.chart.setOption({ series: [{ data: [[res.location.lng, res.location.lat]] }] });
      }
      target.textContent = res.zone ? res.zone.name + (res.how === 'tolerance' ? '（片区边界附近）' : '')
        : '不在片区范围内（由城运中心派遣）';
      target.className = res.zone ? 'zone-ok' : 'zone-out';
      fillCommittees(res.zone ? res.zone.code : null, loc, seq);
    } catch (err) {
      if (seq !== state.zoneSeq) return;
      fillCommittees(null, loc, seq);
      const zone = localZone(loc.lng, loc.lat);
      loc.zoneName = zone ? zone.name : null;
      target.textContent = zone ? `${zone.name}（离线估算）` : '未能确定（离线）';
      target.className = zone ? 'zone-ok' : 'zone-out';
    }
  }

  /* 居民区: once the server names the zone, its committees fill the select. Preselected: the 居委's own (a
   * committee user), else the committee whose configured point is nearest. Where config/committees.toml gives
   * a boundary covering the point, the server takes that committee whatever is chosen. Offline (no zone from
   * the server) no committee is sent: the server could not be asked whether it belongs to the zone. */
  const committeeLists = new Map(); // zone code -> Promise of its committees

  function committeesOf(zone) {
    if (!committeeLists.has(zone)) {
      committeeLists.set(zone, api.get('/api/v1/committees?zone=' + encodeURIComponent(zone)).then((res) => res.data));
    }
    return committeeLists.get(zone);
  }

  function nearest(list, lng, lat) {
    const away = (c) => ((c.point.lng - lng) * Math.cos(lat * Math.PI / 180)) ** 2 + (c.point.lat - lat) ** 2;
    return list.filter((c) => c.point).reduce((best, c) => (!best || away(c) < away(best) ? c : best), null);
  }

  async function fillCommittees(zone, loc, seq) {
    const select = $('committee');
    const keep = select.value;
    clear(select).appendChild(el('option', { text: '不指定', attrs: { value: '' } }));
    select.disabled = true;
    if (!zone) return;
    let list;
    try {
      list = await committeesOf(zone);
    } catch (err) {
      committeeLists.delete(zone);
      return;
    }
    if (seq !== state.zoneSeq) return;
    list.forEach((c) => select.appendChild(el('option', { text: c.name, attrs: { value: c.code } })));
    select.disabled = list.length === 0;
    const own = me.committee && list.some((c) => c.code === me.committee) ? me.committee : null;
    const close = nearest(list, loc.lng, loc.lat);
    const kept = list.some((c) => c.code === keep) ? keep : null;
    select.value = state.committeeChosen && kept ? kept : own || (close ? close.code : '');
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
    const photo = await preparePhoto(file);  // a large photo comes back as JPEG, whatever it was
    if (!PHOTO_TYPES.includes(photo.type)) {
      toast('照片格式不支持（仅 JPEG / PNG / WebP）', 'error');
      clearPhoto();
      return;
    }
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
    const { answers, error } = M.questions.collect($('category-questions'), state.category);
    if (error) return { error };
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
    if (Object.keys(answers).length) item.body.attributes = answers;
    const committee = $('committee');
    if (committee.value && !committee.disabled) item.body.committee = committee.value;
    return { item };
  }

  function resetForm() {
    $('description').value = '';
    $('address').value = '';
    clearPhoto();
    state.category = null;
    $('category-picked').textContent = '';
    M.questions.render($('category-questions'), null);
    document.querySelectorAll('#categories .cat').forEach((b) => b.setAttribute('aria-pressed', 'false'));
    showCategories();
  }

  function showResult(item) {
    const t = item.ticket;
    const box = clear($('last-report'));
    const where = t.status === 'duplicate' ? '与已有事件重复，已合并处理'
      : t.department_name ? `已派遣至 ${t.department_name}` : '待城运中心派遣';
    box.appendChild(el('p', { className: 'result-title' }, '上报成功 ', el('strong', { text: t.number })));
    const meta = el('p', { className: 'meta', text: `${t.category_name} · ${zoneLabel(t.zone)} · ${where}` });
    box.appendChild(meta);
    if (t.status === 'duplicate' && t.duplicate_of) {  // say which ticket it joined, and open it
      M.lists.mergedLabel(t.duplicate_of).then((text) => {
        if (text === '已合并') return;
        const number = text.replace('已合并至 ', '');
        meta.textContent = `${t.category_name} · ${zoneLabel(t.zone)} · 与已有事件重复，${text}`;
        box.appendChild(el('button', { className: 'btn-link merged-link', text: '查看 ' + number,
          attrs: { type: 'button' }, dataset: { original: t.duplicate_of },
          on: { click: () => M.lists.openDetail({ id: t.duplicate_of }) } }));
      });
    }
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
        M.lists.loadMine().catch(() => {});
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
      M.lists.renderOutbox();
    }
  }

  function restoreForm(item) {
    const category = state.categories.find((c) => c.slug === item.body.category);
    if (category) pickCategory(category);
    M.questions.fill($('category-questions'), item.body.attributes);
    $('description').value = item.body.description;
    $('address').value = item.body.address || '';
    if (item.body.committee && Array.from($('committee').options).some((o) => o.value === item.body.committee)) {
      $('committee').value = item.body.committee;
    }
    if (item.photo) {
      state.photo = item.photo;
      state.photoName = item.photoName;
      showPreview($('photo-preview'), item.photo);
      $('photo-clear').hidden = false;
    }
  }

  /** The zone's name for its code ('片区外' for none). */
  function zoneLabel(code) {
    if (!code) return '片区外';
    const f = state.zones && state.zones.features.find((z) => z.properties.code === code);
    return f ? f.properties.name : code;
  }

  function resizeMap() {
    if (state.chart) state.chart.resize();
  }

  /** At start-up: locate at once when the user has already allowed it (and no point is chosen yet). */
  function locateIfAllowed() {
    if (navigator.geolocation && navigator.permissions) {
      navigator.permissions.query({ name: 'geolocation' })
        .then((p) => { if (p.state === 'granted' && !state.location) locateMe(); })
        .catch(() => {});
    }
  }

  $('committee').addEventListener('change', () => { state.committeeChosen = true; });

  M.report = {
    loadCategories, loadZones, zoneLabel, resizeMap, locateMe, useManualLocation, locateIfAllowed, preparePhoto, onPhotoChosen,
    clearPhoto, showCategories, onSubmit,
  };
}());
