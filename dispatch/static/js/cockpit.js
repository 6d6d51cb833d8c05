/* 城运中心驾驶舱 /cockpit/: polls /cockpit/feed.json POLL_MS after the last answer and redraws what changed.
 *
 * Click a zone (map or 按片区 bar) to filter everything to it; click it again or 全部片区 to clear.
 * The 待派遣, 超期升级 and 督办 lists: each row opens its ticket (its number is a link; a click on the row
 * does the same), and rows may be ticked for a bulk action (批量派遣/督办/催办: one request, each ticket
 * checked on its own; the answer, shown under the list, says which succeeded and why the others did not).
 * body[data-ready="1"] after the first draw; body[data-version] is the feed's version and
 * body[data-updated] the time of the last successful poll (both for tests and for a watchdog).
 * User-written text reaches the page through YC.el/textContent; chart tooltips are escaped.
 * While an emergency is active, cockpit_emergency.js (YC.cockpitEmergency) shows its layout instead, from the
 * feed's `emergency` part (body[data-mode] "emergency" or "daily").
 */
(function () {
  'use strict';

  const YC = window.YC;
  const { api, el, clear, clip, toast, fmtTime, fmtClock, describeError, labelOf } = YC;
  const { tag } = YC.cockpitFind;  // cockpit_find.js: the lists' 筛选 (search and filters)
  const POLL_MS = 3000;
  const POLL_MAX_MS = 60000;  // the longest wait between polls while the server does not answer
  const COLORS = { normal: '#38a3ff', warning: '#ffc53d', overdue: '#ff4d4f', supervised: '#ff2d55' };
  const TEXT = '#cfe3ff';
  const AXIS = '#5b7aa3';
  const GRID_LINE = 'rgba(91,122,163,.25)';
  const NEAR_DEG = 0.01;  // about 1 km: out-of-area points nearer than this widen the map's view

  const body = document.body;
  const state = { skew: 0, zone: null, seq: 0, feed: null, keys: {}, zones: [], chosen: {}, seenEscalations: null,
    hotspots: [], showHotspots: true, hotspotsAt: 0,
    selected: { pending: new Set(), escalations: new Set(), supervised: new Set() } };
  const HOTSPOT_MS = 60000;  // the hotspots (顽症) layer is fetched once a minute
  const HOTSPOT_COLOR = '#c58bff';
  const LIST_IDS = { pending: 'pending-list', escalations: 'escalation-list', supervised: 'supervised-list' };
  const BULK_LABELS = { dispatch: '派遣', supervise: '督办', urge: '催办' };
  // why a ticket of a bulk action was not acted on, by the API's error code (the message otherwise)
  const BULK_ERRORS = { illegal_transition: '当前状态不允许', not_found: '工单不存在', version_conflict: '工单刚被他人处理',
    no_desk: '该部门不接收派遣', unknown_department: '部门不存在', urge_too_soon: '1小时内已催办',
    already_supervised: '已在督办', forbidden: '无权操作', validation_error: '信息不完整' };
  const charts = {};

  function esc(value) {
    return String(value === null || value === undefined ? '' : value)
      .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  }

  function pct(v) { return v === null || v === undefined ? '—' : (v * 100).toFixed(1); }

  function chart(id) {
    if (!charts[id]) charts[id] = window.echarts.init(document.getElementById(id), null, { renderer: 'canvas' });
    return charts[id];
  }

  function zoneCode(name) {
    const z = state.zones.find((x) => x.name === name || x.code === name);
    return z ? z.code : null;
  }

  function setZone(code) {
    state.zone = code && code !== state.zone ? code : null;
    body.dataset.zone = state.zone || '';
    drawZoneBar();
    refresh();
  }

  // --- header ---------------------------------------------------------------------------------

  function drawZoneBar() {
    const bar = document.getElementById('zone-bar');
    if (bar.children.length !== state.zones.length + 1) {
      clear(bar);
      bar.appendChild(el('button', { className: 'zone-btn', text: '全部片区', attrs: { type: 'button' },
        dataset: { zone: '' }, on: { click: () => setZone(null) } }));
      state.zones.forEach((z) => bar.appendChild(el('button', { className: 'zone-btn', text: z.name,
        attrs: { type: 'button' }, dataset: { zone: z.code }, on: { click: () => setZone(z.code) } })));
    }
    bar.querySelectorAll('.zone-btn').forEach((b) => {
      b.setAttribute('aria-pressed', (b.dataset.zone || null) === state.zone ? 'true' : 'false');
    });
    const name = state.zones.find((z) => z.code === state.zone);
    document.getElementById('zone-name').textContent = name ? '· ' + name.name + '（再次点击取消筛选）' : '';
  }

  /** The server's time (the clock every figure is computed at), ticking between polls. */
  function tick() { document.getElementById('clock').textContent = fmtClock(new Date(Date.now() + state.skew)); }

  function drawBanner(feed) {
    const banner = document.getElementById('banner');
    banner.hidden = !feed.banner;
    banner.textContent = feed.banner ? '⚠ ' + feed.banner.text : '';
  }

  // --- KPI cards ------------------------------------------------------------------------------

  function drawKpis(feed) {
    const k = feed.kpis;
    const values = {
      reported_today: [k.reported_today, '今日结案 ' + k.closed_today + ' 件'],
      open: [k.open, '含待核查、挂账'],
      overdue: [k.overdue, '已过签收或处置时限'],
      pending_dispatch: [k.pending_dispatch, '等待城运中心派遣'],
      on_time_close_rate: [pct(k.on_time_close_rate), '近' + feed.period.days + '日'],
      close_rate: [pct(k.close_rate), '结案 ' + k.closed + ' / 应结案 ' + k.due_to_close],
      rework_rate: [pct(k.rework_rate), '核查不通过返工'],
      avg_handling_hours: [k.avg_handling_hours === null ? '—' : k.avg_handling_hours.toFixed(1), '派遣至处置完成'],
    };
    Object.entries(values).forEach(([key, [value, sub]]) => {
      const card = document.querySelector('[data-kpi="' + key + '"]');
      if (!card) return;
      const v = card.querySelector('.v');
      const text = String(value);
      if (v.textContent !== text && state.feed) {
        card.classList.remove('changed');
        void card.offsetWidth; // restart the highlight animation
        card.classList.add('changed');
      }
      v.textContent = text;
      card.dataset.value = k[key] === null || k[key] === undefined ? '' : String(k[key]);
      card.querySelector('.u').hidden = value === '—';
      if (/rate$/.test(key)) card.querySelector('.u').textContent = value === '—' ? '' : '%';
      card.querySelector('.kpi-sub').textContent = sub;
      card.classList.toggle('alert', (key === 'overdue' || key === 'pending_dispatch') && Number(k[key]) > 0);
    });
  }

  // --- lists ----------------------------------------------------------------------------------

  function changed(name, items, keyOf) {
    const key = JSON.stringify(items.map(keyOf));
    if (state.keys[name] === key) return false;
    state.keys[name] = key;
    return true;
  }

  async function dispatchTicket(ticket, select, button) {
    if (!select.value) {
      toast('请选择处置部门', 'error');
      return;
    }
    button.disabled = true;
    try {
      await api.post('/api/v1/tickets/' + ticket.id + '/actions',
        { action: 'dispatch', department: select.value, version: ticket.version });
      const dept = select.options[select.selectedIndex].textContent;
      toast('工单 ' + ticket.number + ' 已派遣至 ' + dept, 'ok');
      delete state.chosen[ticket.id];
      refresh();
    } catch (err) {
      toast(describeError(err), 'error');
      button.disabled = false;
    }
  }

  // --- selection and bulk actions ---------------------------------------------------------------

  /** The checkbox that ticks a row's ticket for the list's bulk action. */
  function pick(list, ticketId, number) {
    const box = el('input', { className: 'pick', attrs: { type: 'checkbox', 'aria-label': '选择 ' + number },
      dataset: { ticket: ticketId } });
    box.checked = state.selected[list].has(ticketId);
    box.addEventListener('change', () => {
      if (box.checked) state.selected[list].add(ticketId); else state.selected[list].delete(ticketId);
      // a ticket may have several rows (超期升级: one per level): tick them all
      document.querySelectorAll('#' + LIST_IDS[list] + ' .pick[data-ticket="' + ticketId + '"]').forEach((b) => { b.checked = box.checked; });
      syncBulk(list);
    });
    return box;
  }

  /** A row opens its ticket in a new tab (a click outside its link, checkbox and controls). */
  function opens(row, ticketId) {
    row.classList.add('opens');
    row.addEventListener('click', (ev) => {
      if (ev.target.closest('a, input, select, button, label')) return;
      window.open('/desk/tickets/' + ticketId, '_blank', 'noopener');
    });
    return row;
  }

  function ticketLink(ticketId, number) {
    return el('a', { className: 'num', text: number, attrs: { href: '/desk/tickets/' + ticketId, target: '_blank',
      rel: 'noopener', title: '打开工单' } });
  }

  /** The bar's count, 全选 box and buttons after the selection (or the list) changed; drops ticks of gone rows. */
  function syncBulk(list, present) {
    const chosen = state.selected[list];
    if (present) chosen.forEach((id) => { if (!present.has(id)) chosen.delete(id); });
    const bar = document.querySelector('.bulk-bar[data-list="' + list + '"]');
    if (!bar) return;
    bar.querySelector('.bulk-count').textContent = '已选 ' + chosen.size + ' 件';
    const boxes = Array.from(document.querySelectorAll('#' + LIST_IDS[list] + ' .row:not([hidden]) .pick'));
    const all = bar.querySelector('[data-all]');
    all.checked = boxes.length > 0 && boxes.every((b) => b.checked);
    all.indeterminate = !all.checked && chosen.size > 0;
    bar.querySelectorAll('.bulk-btn').forEach((b) => { b.disabled = chosen.size === 0; });
  }

  function bulkResult(list, action, answer) {
    const box = document.querySelector('[data-result="' + list + '"]');
    clear(box);
    box.hidden = false;
    const name = BULK_LABELS[action];
    box.className = 'bulk-result' + (answer.failed ? ' has-failures' : '');
    box.append(el('div', { className: 'bulk-sum' },
      el('span', { text: '批量' + name + '：成功 ' + answer.succeeded + ' 件' + (answer.failed ? '，失败 ' + answer.failed + ' 件' : '') }),
      el('button', { className: 'bulk-close', text: '×', attrs: { type: 'button', 'aria-label': '关闭' },
        on: { click: () => { box.hidden = true; } } })));
    answer.results.filter((r) => !r.ok).forEach((r) => {
      const why = (r.error && (BULK_ERRORS[r.error.code] || r.error.message)) || '失败';
      box.append(el('div', { className: 'bulk-fail', dataset: { ticket: r.ticket_id, code: r.error ? r.error.code : '' } },
        r.number ? ticketLink(r.ticket_id, r.number) : el('span', { text: '#' + r.ticket_id }),
        el('span', { text: why + (r.status ? '（' + labelOf('statuses', r.status) + '）' : '') })));
    });
  }

  async function runBulk(list, action, button) {
    const ids = Array.from(state.selected[list]);
    const body = { action, ticket_ids: ids };
    if (action === 'dispatch') {
      const dept = document.getElementById('bulk-dept');
      if (!dept.value) {
        toast('请选择派遣部门', 'error');
        dept.focus();
        return;
      }
      body.department = dept.value;
    }
    button.disabled = true;
    try {
      const answer = await api.post('/api/v1/tickets/bulk-actions', body);
      answer.results.filter((r) => r.ok).forEach((r) => state.selected[list].delete(r.ticket_id));
      bulkResult(list, action, answer);
      state.keys = {};  // redraw every list: the ticks and the tickets moved
      refresh();
    } catch (err) {
      toast(describeError(err), 'error');
    } finally {
      syncBulk(list);
    }
  }

  function initBulk() {
    document.querySelectorAll('.bulk-bar').forEach((bar) => {
      const list = bar.dataset.list;
      bar.querySelector('[data-all]').addEventListener('change', (ev) => {
        document.querySelectorAll('#' + LIST_IDS[list] + ' .row:not([hidden]) .pick').forEach((box) => {  // the rows shown
          box.checked = ev.target.checked;
          const id = Number(box.dataset.ticket);
          if (box.checked) state.selected[list].add(id); else state.selected[list].delete(id);
        });
        syncBulk(list);
      });
      bar.querySelectorAll('.bulk-btn').forEach((button) => button.addEventListener('click',
        () => runBulk(list, button.dataset.bulk, button)));
    });
    // after the lists' filter changed what is shown: a hidden row is not ticked (a bulk action acts on what is seen)
    document.addEventListener('cockpit-find', () => Object.keys(LIST_IDS).forEach((list) => {
      const rows = '#' + LIST_IDS[list] + ' .row';
      document.querySelectorAll(rows + '[hidden] .pick:checked').forEach((box) => { box.checked = false; });
      state.selected[list] = new Set(Array.from(document.querySelectorAll(rows + ':not([hidden]) .pick:checked'),
        (box) => Number(box.dataset.ticket)));
      syncBulk(list);
    }));
  }

  function drawBulkDepartments(feed) {
    const select = document.getElementById('bulk-dept');
    if (!select || select.options.length > 1) return;
    feed.dispatch_departments.forEach((d) => select.appendChild(el('option', { text: d.name, attrs: { value: d.code } })));
  }

  function drawPending(feed) {
    const list = document.getElementById('pending-list');
    document.getElementById('pending-count').textContent = String(feed.kpis.pending_dispatch);
    if (!changed('pending', feed.pending_dispatch, (t) => [t.id, t.version, !!t.returned, t.supervised])) return;
    clear(list);
    if (!feed.pending_dispatch.length) list.appendChild(el('p', { className: 'empty', text: '暂无待派遣工单' }));
    feed.pending_dispatch.forEach((t) => {
      const select = el('select', { attrs: { 'aria-label': '派遣至部门' }, dataset: { ticket: t.id },
        on: { change: () => { state.chosen[t.id] = select.value; } } },
      el('option', { text: '选择部门', attrs: { value: '' } }),
      feed.dispatch_departments.map((d) => el('option', { text: d.name, attrs: { value: d.code } })));
      select.value = state.chosen[t.id] || '';
      const button = el('button', { className: 'dispatch-btn', text: '派遣', attrs: { type: 'button' },
        dataset: { ticket: t.id } });
      button.addEventListener('click', () => dispatchTicket(t, select, button));
      const r = t.returned;  // sent back by a department (退单): not a new report
      list.appendChild(opens(tag(el('div', { className: 'row pending-row' + (r ? ' returned' : ''), dataset: { id: t.id, number: t.number } },
        el('div', { className: 'row-main' },
          pick('pending', t.id, t.number),
          ticketLink(t.id, t.number),
          t.supervised ? el('span', { className: 'flag', text: '督' }) : null,
          r ? el('span', { className: 'chip-returned', text: labelOf('actions', 'return') }) : null,
          t.source === 'committee' ? el('span', { className: 'chip-invite', text: labelOf('sources', 'committee'),
            attrs: { title: t.committee_name || '' } }) : null,
          el('span', { className: 'cat', text: t.category_name }),
          el('span', { className: 'zone', text: (t.zone_name || '片区外') + (t.committee_name ? ' · ' + t.committee_name : '') }),
          el('span', { className: 'time', text: fmtTime(t.created_at, true) })),
        r ? el('div', { className: 'row-returned', dataset: { testid: 'returned' },
          text: (r.department_name || '') + (r.by ? ' ' + r.by : '') + ' ' + fmtTime(r.at, true) + ' 退单：' + (r.reason || '') }) : null,
        el('div', { className: 'row-sub' },  // the description (with its address) beside the 派遣 controls
          el('div', { className: 'row-desc', text: clip((t.address ? t.address + ' · ' : '') + t.description, 60),
            attrs: { title: (t.address ? t.address + '\n' : '') + t.description } }),
          el('div', { className: 'row-act' }, select, button))), t), t.id));
    });
    syncBulk('pending', new Set(feed.pending_dispatch.map((t) => t.id)));
  }

  function drawEscalations(feed) {
    const list = document.getElementById('escalation-list');
    if (!changed('escalations', feed.escalations, (e) => e.id)) return;
    const seen = state.seenEscalations;
    state.seenEscalations = new Set(feed.escalations.map((e) => e.id));
    clear(list);
    if (!feed.escalations.length) list.appendChild(el('p', { className: 'empty', text: '暂无超期升级' }));
    feed.escalations.forEach((e) => {
      const fresh = seen && !seen.has(e.id);
      list.appendChild(opens(tag(el('div', { className: 'row esc-row level-' + e.level + (fresh ? ' fresh' : ''), dataset: { id: e.id, ticket: e.ticket_id } },
        pick('escalations', e.ticket_id, e.number),
        el('i', { className: 'dot ' + (e.level === 0 ? 'warning' : e.level >= 2 ? 'supervised' : 'overdue') }),
        el('span', { className: 'time', text: fmtTime(e.at, true) }),
        ticketLink(e.ticket_id, e.number),
        el('span', { className: 'cat', text: e.category_name || '' }),
        el('span', { className: 'level', text: e.deadline_label + e.level_name + (e.caught_up ? '（补记）' : '') })),
      Object.assign({}, e, { state: e.level === 0 ? 'warning' : 'overdue' })), e.ticket_id));
    });
    syncBulk('escalations', new Set(feed.escalations.map((e) => e.ticket_id)));
  }

  function drawSupervised(feed) {
    const list = document.getElementById('supervised-list');
    document.getElementById('supervised-count').textContent = String(feed.supervised.length);
    if (!changed('supervised', feed.supervised, (t) => [t.id, t.version, t.state])) return;
    clear(list);
    if (!feed.supervised.length) list.appendChild(el('p', { className: 'empty', text: '暂无督办工单' }));
    feed.supervised.forEach((t) => {
      list.appendChild(opens(tag(el('div', { className: 'row sup-row', dataset: { id: t.id } },
        pick('supervised', t.id, t.number),
        el('span', { className: 'flag', text: '督' }),
        ticketLink(t.id, t.number),
        t.source === 'committee' ? el('span', { className: 'chip-invite', text: labelOf('sources', 'committee') }) : null,
        el('span', { className: 'cat', text: t.category_name }),
        el('span', { className: 'dept', text: t.department_name || '未派遣' }),
        el('span', { className: 'status', text: labelOf('statuses', t.status) })), t), t.id));
    });
    syncBulk('supervised', new Set(feed.supervised.map((t) => t.id)));
  }

  /** 吹哨报到: each open joint case, its lead and who of the assisting departments checked in, and who is late. */
  function drawJoint(feed) {
    const list = document.getElementById('joint-list');
    const cases = feed.joint_cases || [];
    document.getElementById('joint-count').textContent = String(cases.length);
    if (!changed('joint', cases, (t) => [t.id, t.version, t.assists.map((a) => [a.state, a.late_checkin, a.late_task])])) return;
    clear(list);
    if (!cases.length) list.appendChild(el('p', { className: 'empty', text: '暂无联合处置案件' }));
    cases.forEach((t) => {
      list.appendChild(tag(el('div', { className: 'row joint-row', dataset: { id: t.id } },
        ticketLink(t.id, t.number),
        el('span', { className: 'cat', text: t.category_name }),
        el('span', { className: 'dept', text: (t.department_name || '未派遣') + ' 牵头' }),
        el('div', { className: 'assists' }, t.assists.map((a) => el('span', {
          className: 'assist assist-' + a.state + (a.late_checkin || a.late_task ? ' late' : ''),
          dataset: { department: a.department, state: a.state },
          attrs: { title: a.task },
          text: a.department_name + ' ' + a.state_label + (a.late_checkin ? ' · 报到迟到' : '')
            + (a.late_task ? ' · 超期' : '') })))), t));
    });
  }

  // --- charts ---------------------------------------------------------------------------------

  function tooltipStyle() {
    return { backgroundColor: 'rgba(6,22,45,.92)', borderColor: '#2f6fb8', textStyle: { color: '#e6f0ff', fontSize: 14 } };
  }

  function drawMap(feed) {
    const c = chart('map');
    const selectedName = feed.zone_name;
    const regions = state.zones.map((z) => ({
      name: z.name,
      itemStyle: z.code === feed.zone
        ? { areaColor: '#1b4d86', borderColor: '#7cc4ff', borderWidth: 3 }
        : { areaColor: feed.zone ? '#0b1f3a' : '#10305a' },
      label: { color: z.code === feed.zone ? '#ffffff' : (feed.zone ? '#6f8db5' : TEXT) },
    }));
    const byState = (s) => feed.points.filter((p) => p.state === s).map((p) => ({
      name: p.number, value: [p.lng, p.lat], id: p.id, category: p.category_name, status: p.status, state: p.state,
    }));
    // A point's own tooltip (the geo's, for the zones, would otherwise be used for points too: ECharts
    // asks the coordinate system's tooltip before the chart's)
    const pointTip = { formatter: (p) => '<b>' + esc(p.data.name) + '</b><br>' + esc(p.data.category) + '<br>'
      + esc(labelOf('statuses', p.data.status)) + ' · ' + esc(labelOf('ticket_states', p.data.state)) + '<br>点击打开工单' };
    const point = (state, extra) => Object.assign({ name: labelOf('ticket_states', state), type: 'scatter', coordinateSystem: 'geo',
      itemStyle: { color: COLORS[state], borderColor: '#04182f', borderWidth: 1 }, data: byState(state), zlevel: 1, tooltip: pointTip }, extra);
    c.setOption({
      animation: false,
      tooltip: Object.assign(tooltipStyle(), { trigger: 'item' }),
      geo: YC.zoneMap.geo('dark', Object.assign({
        top: 20, bottom: 20, left: 20, right: 20, scaleLimit: { min: 0.8, max: 12 },
        label: { show: false }, emphasis: { label: { show: false } },  // names are drawn at the zones' top edge
        tooltip: { show: true, formatter: (p) => esc(p.name) + '<br>' + (zoneCode(p.name) === feed.zone ? '点击取消筛选' : '点击筛选此片区') },
        regions,
      }, viewBox(feed))),
      series: [
        zoneNames(feed),
        point('normal', { symbolSize: 8 }),
        point('warning', { symbolSize: 10 }),
        point('overdue', { type: YC.zoneMap.alertMarker(), symbolSize: 10, rippleEffect: { scale: 2.2, brushType: 'stroke' } }),
        point('supervised', { type: YC.zoneMap.alertMarker(), symbol: 'pin', symbolSize: 24, symbolOffset: [0, '-50%'], rippleEffect: { scale: 2 },
          label: { show: true, formatter: '督', color: '#fff', fontSize: 11, fontWeight: 'bold', offset: [0, -14] } }),
        hotspotSeries(feed),
      ],
    }, { replaceMerge: ['series'] });
    placeZoneNames(c, feed);
    drawOutside(feed);
    drawMapList(feed);
    body.dataset.points = String(feed.points.length);
    return selectedName;
  }

  /** The recurring hotspots (顽症) as rings sized by their count; a click opens the latest report. */
  function hotspotSeries(feed) {
    const shown = state.showHotspots ? state.hotspots.filter((h) => !feed.zone || h.zone === feed.zone) : [];
    const data = shown.map((h) => {
      const last = h.tickets[h.tickets.length - 1];
      return { name: h.category_name, value: [h.lng, h.lat], id: last.id, count: h.count, last: h.last_at,
        numbers: h.tickets.map((t) => t.number) };
    });
    body.dataset.hotspots = String(data.length);
    return { id: 'hotspots', name: '顽症', type: 'scatter', coordinateSystem: 'geo', zlevel: 2, data,
      symbolSize: (v, p) => 26 + 4 * Math.min(p.data.count, 8),
      itemStyle: { color: 'rgba(197,139,255,.12)', borderColor: HOTSPOT_COLOR, borderWidth: 2, borderType: 'dashed' },
      label: { show: true, position: 'top', distance: 3, formatter: (p) => '顽症 ' + p.data.count + '次', color: '#f1e4ff',
        fontSize: 12, fontWeight: 'bold', backgroundColor: 'rgba(60,20,100,.85)', padding: [2, 5], borderRadius: 3 },
      tooltip: { formatter: (p) => '<b>顽症 · ' + esc(p.data.name) + '</b><br>30 天内上报 ' + p.data.count + ' 次<br>'
        + p.data.numbers.map(esc).join('<br>') + '<br>点击打开最近一次上报' } };
  }

  async function refreshHotspots(force) {
    if (!force && Date.now() - state.hotspotsAt < HOTSPOT_MS) return;
    state.hotspotsAt = Date.now();
    try {
      state.hotspots = (await api.get('/api/v1/hotspots')).data;
    } catch (err) {
      return;  // the layer keeps what it had; the feed's own error shows the connection state
    }
    if (state.feed) drawMap(state.feed);
  }

  /** Each zone's name, inside its polygon at its top edge (placeZoneNames may move it to the bottom edge). */
  function zoneNames(feed) {
    const data = (state.fc ? state.fc.features : []).map((f) => {
      const code = zoneCode(f.properties.name);
      return { name: f.properties.name, value: zoneEdges(f).top,
        label: { position: 'bottom', color: code === feed.zone ? '#ffffff' : (feed.zone ? '#6f8db5' : TEXT) } };
    });
    return { id: 'zone-names', type: 'scatter', coordinateSystem: 'geo', symbolSize: 0, silent: true, zlevel: 0, data,
      label: { show: true, formatter: '{b}', position: 'bottom', distance: 10, fontSize: 15, fontWeight: 'bold',
        textBorderColor: '#06162d', textBorderWidth: 3 }, tooltip: { show: false } };
  }

  /** Where a zone's name may sit, in order of preference: [lng, lat] on its top edge (its two northmost corners) or
   *  bottom edge (its two southmost), at the middle or a third of the way, and whether the name hangs below it. */
  function zoneEdges(f) {
    const ring = (f.geometry.type === 'Polygon' ? f.geometry.coordinates : f.geometry.coordinates[0])[0];
    const corners = ring.slice(0, -1).sort((p, q) => q[1] - p[1]);
    const along = (a, b, t) => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
    const [n1, n2] = corners;
    const [s1, s2] = corners.slice(-2);
    const found = [];
    [0.5, 0.3, 0.7].forEach((t) => {
      found.push({ at: along(n1, n2, t), below: true }, { at: along(s1, s2, t), below: false });  // inside the zone
    });
    found.push({ at: along(n1, n2, 0.5), below: false }, { at: along(s1, s2, 0.5), below: true });  // just outside
    return { top: along(n1, n2, 0.5), places: found };
  }

  /** Once the map is drawn: a zone name with points under it moves to the first of its places (zoneEdges) with the
   *  fewest (in pixels: the name's box, 15 px type 10 px from its anchor) — points and names must not cover each
   *  other. */
  function placeZoneNames(c, feed) {
    if (!state.fc) return;
    const px = (lng, lat) => c.convertToPixel({ geoIndex: 0 }, [lng, lat]);
    const dots = feed.points.flatMap((p) => {  // a 督办 pin stands 24 px high above its point
      const at = px(p.lng, p.lat);
      return !at ? [] : p.state === 'supervised' ? [at, [at[0] - 8, at[1] - 12], [at[0] + 8, at[1] - 12], [at[0], at[1] - 22]] : [at];
    });
    const covered = (name, place) => {
      const at = px(place.at[0], place.at[1]);
      if (!at) return Infinity;
      const half = 15 * name.length / 2 + 6;
      const [top, bottom] = place.below ? [at[1] + 2, at[1] + 36] : [at[1] - 36, at[1] - 2];
      return dots.filter((d) => Math.abs(d[0] - at[0]) < half && d[1] > top && d[1] < bottom).length;
    };
    let moved = false;
    const data = c.getOption().series.find((x) => x.id === 'zone-names').data.map((d) => {
      const places = zoneEdges(state.fc.features.find((x) => x.properties.name === d.name)).places;
      const counts = places.map((place) => covered(d.name, place));
      const best = places[counts.indexOf(Math.min(...counts))];
      moved = moved || best !== places[0];
      return Object.assign({}, d, { value: best.at, label: Object.assign({}, d.label, { position: best.below ? 'bottom' : 'top' }) });
    });
    if (moved) c.setOption({ series: [{ id: 'zone-names', data }] });
  }

  /** The map's view: the zones, widened to take in out-of-area points within ~1 km (farther ones are listed). */
  function viewBox(feed) {
    if (!state.fc) return {};
    const all = state.fc.features.flatMap((f) => (f.geometry.type === 'Polygon' ? f.geometry.coordinates
      : f.geometry.coordinates.flat(1)).flat(1));
    let [w, e, s, n] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0])),
      Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
    const near = feed.points.filter((p) => !p.zone && p.lng > w - NEAR_DEG && p.lng < e + NEAR_DEG && p.lat > s - NEAR_DEG && p.lat < n + NEAR_DEG);
    if (!near.length) return {};
    const pad = 0.0008;
    near.forEach((p) => { w = Math.min(w, p.lng - pad); e = Math.max(e, p.lng + pad); s = Math.min(s, p.lat - pad); n = Math.max(n, p.lat + pad); });
    return { boundingCoords: [[w, n], [e, s]] };
  }

  /** Open tickets outside every zone (片区外), listed on the map: each opens its ticket. */
  function drawOutside(feed) {
    const box = document.getElementById('outside-list');
    const outside = feed.points.filter((p) => !p.zone);
    box.hidden = !outside.length;
    if (!changed('outside', outside, (p) => [p.id, p.state])) return;
    clear(box);
    box.appendChild(el('div', { className: 'outside-head', text: '片区外 ' + outside.length + ' 件' }));
    outside.slice(0, 5).forEach((p) => box.appendChild(el('a', { className: 'outside-row', dataset: { id: p.id },
      attrs: { href: '/desk/tickets/' + p.id, target: '_blank', rel: 'noopener' } },
      el('i', { className: 'dot ' + p.state }), el('span', { className: 'num', text: p.number }),
      el('span', { text: p.category_name + ' · ' + labelOf('ticket_states', p.state) }))));
  }

  /** The map as a list (the keyboard's and the screen reader's way to the points): every point drawn, in
   *  ticket-number order — number (opens the ticket), category, status and state in words, zone. */
  function drawMapList(feed) {
    const box = document.getElementById('map-list');
    state.lastFeed = feed;
    if (box.hidden || !changed('map-list', feed.points, (p) => [p.id, p.state, p.status, p.zone])) return;
    const zoneOf = (code) => { const z = state.zones.find((x) => x.code === code); return z ? z.name : '片区外'; };
    const points = feed.points.slice().sort((a, b) => (a.number < b.number ? -1 : 1));
    clear(box);
    box.appendChild(el('p', { className: 'map-list-head', text: '地图上的工单 ' + points.length + ' 件' + (feed.zone_name ? '（' + feed.zone_name + '）' : '') }));
    if (!points.length) { box.appendChild(el('p', { className: 'empty', text: '暂无在办工单' })); return; }
    box.appendChild(el('table', {},
      el('thead', {}, el('tr', {}, ['工单号', '类别', '状态', '时限', '片区'].map((h) => el('th', { text: h, attrs: { scope: 'col' } })))),
      el('tbody', {}, points.map((p) => el('tr', { dataset: { id: p.id } },
        el('th', { attrs: { scope: 'row' } }, el('a', { text: p.number, attrs: { href: '/desk/tickets/' + p.id, target: '_blank', rel: 'noopener' } })),
        el('td', { text: p.category_name }),
        el('td', { text: labelOf('statuses', p.status) }),
        el('td', {}, el('i', { className: 'dot ' + p.state }), ' ' + labelOf('ticket_states', p.state)),
        el('td', { text: zoneOf(p.zone) }))))));
  }

  function toggleMapList(open) {
    const button = document.getElementById('map-list-toggle');
    const box = document.getElementById('map-list');
    box.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    button.textContent = open ? '地图' : '列表';
    if (open) {
      state.keys['map-list'] = null; // draw it now
      if (state.lastFeed) drawMapList(state.lastFeed);
      const first = box.querySelector('a');
      if (first) first.focus();
    }
  }

  function axisCommon() {
    return { axisLine: { lineStyle: { color: AXIS } }, axisLabel: { color: TEXT, fontSize: 13 }, splitLine: { lineStyle: { color: GRID_LINE } } };
  }

  function drawCategory(feed) {
    const rows = feed.by_category.slice(0, 8).reverse();
    chart('chart-category').setOption({
      animation: false,
      tooltip: Object.assign(tooltipStyle(), { trigger: 'axis', axisPointer: { type: 'shadow' } }),
      legend: { data: ['上报', '在办'], textStyle: { color: TEXT }, right: 0, top: 0 },
      grid: { left: 8, right: 24, top: 28, bottom: 4, containLabel: true },
      xAxis: Object.assign({ type: 'value', minInterval: 1 }, axisCommon()),
      yAxis: Object.assign({ type: 'category', data: rows.map((r) => r.name) }, axisCommon(), { splitLine: { show: false },
        axisLabel: { color: TEXT, fontSize: 12, interval: 0, width: 96, overflow: 'truncate' } }),
      series: [
        { name: '上报', type: 'bar', data: rows.map((r) => r.reported), itemStyle: { color: '#3fa7ff' }, barMaxWidth: 14 },
        { name: '在办', type: 'bar', data: rows.map((r) => r.open), itemStyle: { color: '#ffc53d' }, barMaxWidth: 14 },
      ],
      graphic: rows.length ? [] : [{ type: 'text', left: 'center', top: 'middle', style: { text: '暂无数据', fill: AXIS, fontSize: 16 } }],
    }, { replaceMerge: ['series', 'graphic'] });
  }

  function drawZoneChart(feed) {
    const rows = feed.by_zone;
    const dim = (r) => (feed.zone && r.key !== feed.zone ? 0.35 : 1);
    chart('chart-zone').setOption({
      animation: false,
      tooltip: Object.assign(tooltipStyle(), { trigger: 'axis', axisPointer: { type: 'shadow' } }),
      legend: { data: ['上报', '在办', '超期'], textStyle: { color: TEXT }, right: 0, top: 0 },
      grid: { left: 8, right: 12, top: 28, bottom: 4, containLabel: true },
      xAxis: Object.assign({ type: 'category', data: rows.map((r) => r.name) }, axisCommon(), { splitLine: { show: false },
        axisLabel: { color: TEXT, fontSize: 12, interval: 0, width: 72, overflow: 'break' } }),
      yAxis: Object.assign({ type: 'value', minInterval: 1 }, axisCommon()),
      series: [
        { name: '上报', type: 'bar', data: rows.map((r) => ({ value: r.reported, itemStyle: { opacity: dim(r) } })), itemStyle: { color: '#3fa7ff' }, barMaxWidth: 22 },
        { name: '在办', type: 'bar', data: rows.map((r) => ({ value: r.open, itemStyle: { opacity: dim(r) } })), itemStyle: { color: '#ffc53d' }, barMaxWidth: 22 },
        { name: '超期', type: 'bar', data: rows.map((r) => ({ value: r.overdue, itemStyle: { opacity: dim(r) } })), itemStyle: { color: '#ff4d4f' }, barMaxWidth: 22 },
      ],
    }, { replaceMerge: ['series'] });
  }

  function drawDepartments(feed) {
    const rows = feed.departments.slice(0, 9).reverse();
    chart('chart-department').setOption({
      animation: false,
      tooltip: Object.assign(tooltipStyle(), {
        trigger: 'axis', axisPointer: { type: 'shadow' },
        formatter: (ps) => {
          const r = rows[ps[0].dataIndex];
          return '<b>' + esc(r.name) + '</b><br>排名分 ' + (r.ranking_score === null ? '—' : esc(r.ranking_score))
            + '<br>综合指标 ' + (r.composite === null ? '—' : esc(r.composite))
            + '<br>居委评价分 ' + (r.evaluation_score === null ? '—（无评价）' : esc(r.evaluation_score))
            + '<br>按期结案率 ' + pct(r.on_time_close_rate) + '%<br>结案率 ' + pct(r.close_rate) + '%<br>返工率 '
            + pct(r.rework_rate) + '%<br>督办 ' + esc(r.supervised) + ' 件';
        },
      }),
      grid: { left: 8, right: 44, top: 8, bottom: 4, containLabel: true },
      xAxis: Object.assign({ type: 'value', min: 0, max: 100 }, axisCommon()),
      yAxis: Object.assign({ type: 'category', data: rows.map((r) => r.name) }, axisCommon(), { splitLine: { show: false } }),
      series: [{
        name: '排名分', type: 'bar', barMaxWidth: 14,
        data: rows.map((r) => ({ value: r.ranking_score === null ? 0 : r.ranking_score,
          itemStyle: { color: r.ranking_score === null ? '#34506f' : r.ranking_score >= 90 ? '#36cfc9' : r.ranking_score >= 70 ? '#3fa7ff' : '#ff7a45' } })),
        label: { show: true, position: 'right', color: TEXT, formatter: (p) => (rows[p.dataIndex].ranking_score === null ? '—' : p.value.toFixed(1)) },
      }],
      graphic: rows.length ? [] : [{ type: 'text', left: 'center', top: 'middle', style: { text: '暂无数据', fill: AXIS, fontSize: 16 } }],
    }, { replaceMerge: ['series', 'graphic'] });
  }

  /** 居委评价: one row per 居民区 (of the chosen zone) — tickets, 结案, 已评价 / 未评价, the 满意率 of 响应度
   * and 处置, open 复核 requests. */
  function drawCommittees(feed) {
    const box = document.getElementById('committee-table');
    const rows = feed.committees || [];
    if (!changed('committees', rows, (r) => [r.key, r.reported, r.closed, r.evaluated, r.unevaluated,
      r.responsiveness_satisfied_rate, r.handling_satisfied_rate, r.reviews_open])) return;
    clear(box);
    const active = rows.filter((r) => r.reported || r.evaluated || r.reviews_open);
    if (!active.length) {
      box.appendChild(el('p', { className: 'empty', text: '近30日各居民区暂无工单' }));
      return;
    }
    // compact for the left column: the name without 居委会 (whole in its tooltip), rates as whole per cent
    const head = [['居民区', '居民区'], ['工单', '工单'], ['结案', '结案'], ['已评', '已评价'], ['未评', '未评价'],
      ['响应', '响应度满意率'], ['处置', '处置满意率'], ['复核', '待复核']];
    const rate = (v) => (v === null || v === undefined ? '—' : Math.round(v * 100) + '%');
    box.appendChild(el('table', {},
      el('thead', {}, el('tr', {}, head.map(([h, title]) => el('th', { text: h, attrs: { title } })))),
      el('tbody', {}, active.map((r) => el('tr', { dataset: { committee: r.key } },
        el('td', { className: 'name', text: r.name.replace(/(社区)?居委会$/, ''), attrs: { title: r.name } }),
        el('td', { text: String(r.reported) }), el('td', { text: String(r.closed) }),
        el('td', { text: String(r.evaluated) }), el('td', { text: String(r.unevaluated) }),
        el('td', { text: rate(r.responsiveness_satisfied_rate) }),
        el('td', { text: rate(r.handling_satisfied_rate) }),
        el('td', { className: r.reviews_open ? 'alert' : '', text: String(r.reviews_open) }))))));
  }

  function drawTrend(feed) {
    const rows = feed.trend;
    chart('chart-trend').setOption({
      animation: false,
      tooltip: Object.assign(tooltipStyle(), { trigger: 'axis' }),
      legend: { data: ['上报', '结案'], textStyle: { color: TEXT }, right: 0, top: 0 },
      grid: { left: 8, right: 16, top: 30, bottom: 4, containLabel: true },
      xAxis: Object.assign({ type: 'category', boundaryGap: false, data: rows.map((r) => r.date.slice(5)) }, axisCommon(), { splitLine: { show: false } }),
      yAxis: Object.assign({ type: 'value', minInterval: 1 }, axisCommon()),
      series: [
        { name: '上报', type: 'line', smooth: true, symbolSize: 5, data: rows.map((r) => r.reported), itemStyle: { color: '#3fa7ff' },
          areaStyle: { color: 'rgba(63,167,255,.18)' } },
        { name: '结案', type: 'line', smooth: true, symbolSize: 5, data: rows.map((r) => r.closed), itemStyle: { color: '#36cfc9' },
          areaStyle: { color: 'rgba(54,207,201,.12)' } },
      ],
    }, { replaceMerge: ['series'] });
  }

  function draw(feed) {
    if (state.zones.length === 0) state.zones = feed.zones;
    drawZoneBar();
    drawBanner(feed);
    const ext = document.getElementById('extensions-count');
    ext.textContent = String(feed.pending_extensions);
    ext.hidden = !feed.pending_extensions;
    const reviews = document.getElementById('reviews-count');
    reviews.textContent = String(feed.pending_reviews);
    reviews.hidden = !feed.pending_reviews;
    drawKpis(feed);
    drawBulkDepartments(feed);
    drawPending(feed);
    drawEscalations(feed);
    drawSupervised(feed);
    drawJoint(feed);
    drawMap(feed);
    drawCategory(feed);
    drawZoneChart(feed);
    drawDepartments(feed);
    drawTrend(feed);
    drawCommittees(feed);
    YC.cockpitFind.apply();  // the lists' filter over the rows just drawn
    document.getElementById('period-label').textContent = '近' + feed.period.days + '日';
    YC.cockpitEmergency.draw(feed.emergency, state.fc, state.zones);  // 应急: its own layout while one is active
    state.feed = feed;
  }

  // --- polling --------------------------------------------------------------------------------

  async function refresh() {
    const seq = ++state.seq;
    const zone = state.zone;
    let feed;
    let serverNow;
    try {
      const answer = await api.get('/cockpit/feed.json' + (zone ? '?zone=' + encodeURIComponent(zone) : ''),
        { withDate: true });
      feed = answer.data;
      serverNow = answer.date;
    } catch (err) {
      document.getElementById('live').classList.add('down');
      document.getElementById('live').textContent = '● 连接中断';
      if (err instanceof YC.ApiError && err.status === 401) location.href = '/login?next=/cockpit/';
      return false;
    }
    if (seq !== state.seq) return true; // a newer request (e.g. another zone) is on its way
    const live = document.getElementById('live');
    live.classList.remove('down');
    live.textContent = '● 实时';
    const drawnFor = state.feed ? state.feed.zone + '|' + state.feed.version : null;
    if (drawnFor !== feed.zone + '|' + feed.version) draw(feed);
    state.skew = serverNow - Date.now();
    tick();
    body.dataset.version = feed.version;
    body.dataset.updated = new Date(serverNow).toISOString();
    body.dataset.zone = feed.zone || '';
    body.dataset.ready = '1';
    return true;
  }

  /** The poll loop: the next poll is timed only once this one has settled (never two in flight, however slow the
   * server); after a failure the wait doubles up to POLL_MAX_MS, and the first success brings it back to POLL_MS. */
  async function poll() {
    let ok = false;
    try {
      ok = await refresh();
      await refreshHotspots(false);
    } catch (err) {
      ok = false;
    }
    state.pollMs = ok ? POLL_MS : Math.min((state.pollMs || POLL_MS) * 2, POLL_MAX_MS);
    setTimeout(poll, state.pollMs);
  }

  async function start() {
    initBulk();
    tick();
    setInterval(tick, 1000);
    try {
      state.fc = await YC.zoneMap.load();
    } catch (err) {
      toast('片区边界加载失败：' + describeError(err), 'error');
    }
    const map = chart('map');
    YC.zoneMap.attachBase(map); // 底图 under the zones when config/map.toml names one
    map.on('click', (p) => {
      if (p.componentType === 'geo') setZone(zoneCode(p.name));
      else if (p.componentType === 'series' && p.data && p.data.id) window.open('/desk/tickets/' + p.data.id, '_blank', 'noopener');
    });
    chart('chart-zone').on('click', (p) => setZone(zoneCode(p.name)));
    const toggle = document.getElementById('hotspot-toggle');
    toggle.addEventListener('click', () => {
      state.showHotspots = !state.showHotspots;
      toggle.setAttribute('aria-pressed', String(state.showHotspots));
      if (state.feed) drawMap(state.feed);
    });
    YC.cockpitEmergency.wire(refresh);
    const listButton = document.getElementById('map-list-toggle');
    listButton.addEventListener('click', () => toggleMapList(document.getElementById('map-list').hidden));
    document.getElementById('map-list').addEventListener('keydown', (e) => {
      if (e.key === 'Escape') { toggleMapList(false); listButton.focus(); }
    });
    window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));
    await refreshHotspots(true);
    new MutationObserver(() => Object.values(charts).forEach((c) => c.resize()))  // back to the daily layout
      .observe(body, { attributes: true, attributeFilter: ['data-mode'] });
    await refresh();
    setTimeout(poll, POLL_MS);
  }

  /** For tests and operators: the page pixel of a [lng, lat] on the map, or null. */
  window.cockpit = {
    pixelOf(lng, lat) {
      const node = document.getElementById('map');
      const xy = chart('map').convertToPixel({ geoIndex: 0 }, [lng, lat]);
      if (!xy) return null;
      const box = node.getBoundingClientRect();
      return { x: box.left + xy[0], y: box.top + xy[1] };
    },
    /** The zone names drawn on the map: [{name, position ('bottom': below its anchor, 'top': above), x, y}]. */
    zoneLabels() {
      const option = chart('map').getOption();
      const series = option.series.find((x) => x.id === 'zone-names');
      return series ? series.data.map((d) => Object.assign({ name: d.name, position: d.label.position },
        window.cockpit.pixelOf(d.value[0], d.value[1]))) : [];
    },
    refresh,
  };

  document.addEventListener('DOMContentLoaded', start);
}());
