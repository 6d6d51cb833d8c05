/* 驾驶舱的应急布局 (the cockpit's emergency layout): YC.cockpitEmergency, driven by cockpit.js.
 *
 * While an emergency is active (feed.emergency.active), the cockpit shows its layout instead of the daily one:
 * the emergency's tickets on the map and in a list by age (oldest first), each department's 到岗, the time
 * since the declaration, handled/open counts, its record, the open tickets that may be pulled in (纳入) and
 * the tickets' 移出; the header's button switches to the daily layout and back. `/cockpit/?mode=daily` never
 * switches (a second screen that keeps the daily view). 启动应急 opens a form with the 预案 of the config.
 * body[data-mode] is "emergency" or "daily". User-written text goes in as text only (YC.el).
 */
(function () {
  'use strict';

  const YC = window.YC;
  const { api, el, clear, toast, fmtTime, fmtDuration, describeError, labelOf } = YC;
  const COLORS = { normal: '#38a3ff', warning: '#ffc53d', overdue: '#ff4d4f' };

  const body = document.body;
  const params = new URLSearchParams(location.search);
  const state = { pinnedDaily: params.get('mode') === 'daily', chosen: null, wantDaily: false, data: null,
    refresh: () => {}, chart: null, fc: null };

  const $ = (id) => document.getElementById(id);

  function current() {
    const active = state.data ? state.data.active : [];
    return active.find((e) => e.id === state.chosen) || active[0] || null;
  }

  function minutesBetween(fromIso, toIso) {
    return (new Date(toIso) - new Date(fromIso)) / 60000;
  }

  /** Which layout to show: the emergency's while one is active, unless pinned (?mode=daily) or switched. */
  function mode() {
    if (!current() || state.pinnedDaily || state.wantDaily) return 'daily';
    return 'emergency';
  }

  function applyMode() {
    const m = mode();
    body.dataset.mode = m;
    body.classList.toggle('mode-emergency', m === 'emergency');
    $('em-view').hidden = m !== 'emergency';
    $('kpis').hidden = m === 'emergency';
    document.querySelector('.ck-grid').hidden = m === 'emergency';
    const button = $('mode-switch');
    const active = current();
    button.hidden = !active || state.pinnedDaily;
    button.textContent = m === 'emergency' ? '日常视图' : '应急视图 · ' + (active ? active.title : '');
    button.classList.toggle('alert', m === 'daily' && !!active);
    if (m === 'emergency' && state.chart) state.chart.resize();
  }

  async function post(path, json, done) {
    try {
      await api.post(path, json || {});
      if (done) toast(done, 'ok');
      state.refresh();
    } catch (err) {
      toast(describeError(err), 'error');
    }
  }

  // --- drawing ------------------------------------------------------------------------------------

  function drawHead(e, now) {
    const tabs = $('em-tabs');
    clear(tabs);
    if (state.data.active.length > 1) {
      state.data.active.forEach((x) => tabs.appendChild(el('button', { className: 'zone-btn', text: x.title,
        attrs: { type: 'button', 'aria-pressed': x.id === e.id ? 'true' : 'false' },
        on: { click: () => { state.chosen = x.id; draw(state.data, state.fc); } } })));
    }
    $('em-title').textContent = e.title;
    $('em-area').textContent = '范围：' + e.zone_names.join('、');
    $('em-elapsed').textContent = fmtDuration(e.elapsed_minutes);
    $('em-total').textContent = String(e.counts.total);
    $('em-handled').textContent = String(e.counts.handled);
    $('em-open').textContent = String(e.counts.open);
    $('em-note').textContent = e.note ? '说明：' + e.note : '';
    $('em-note').hidden = !e.note;
    $('em-level').value = String(e.level);
    $('em-review').href = '/cockpit/emergencies/' + e.id + '/review';
    body.dataset.emergency = String(e.id);
    body.dataset.elapsed = String(e.elapsed_minutes);
    body.dataset.emNow = now;
  }

  function ticketRow(t, now, action) {
    const age = minutesBetween(t.created_at, now);
    return el('div', { className: 'row em-ticket ' + (t.handled ? 'handled' : t.state), dataset: { id: t.id } },
      el('div', { className: 'row-main' },
        el('i', { className: 'dot ' + (t.handled ? 'done' : t.state) }),
        el('a', { className: 'num', text: t.number, attrs: { href: '/desk/tickets/' + t.id, target: '_blank', rel: 'noopener' } }),
        el('span', { className: 'cat', text: t.category_name }),
        el('span', { className: 'age', text: t.handled ? labelOf('statuses', t.status) : '已' + fmtDuration(age) })),
      el('div', { className: 'row-sub' },
        el('span', { text: (t.department_name || '待派遣') + ' · ' + labelOf('statuses', t.status)
          + (t.how === 'pulled' ? ' · 纳入' : '') }),
        action));
  }

  function drawTickets(e, now) {
    const members = e.tickets.filter((t) => !t.released_at);
    members.sort((a, b) => (a.handled - b.handled) || (new Date(a.created_at) - new Date(b.created_at)));
    $('em-tickets-count').textContent = String(members.length);
    const box = clear($('em-tickets'));
    if (!members.length) box.appendChild(el('p', { className: 'empty', text: '暂无应急工单' }));
    members.forEach((t) => box.appendChild(ticketRow(t, now, t.handled ? null : el('button', {
      className: 'em-mini', text: '移出', attrs: { type: 'button', title: '移出应急，恢复常规时限' },
      on: { click: () => post('/api/v1/emergencies/' + e.id + '/tickets/' + t.id + '/release', {}, t.number + ' 已移出应急') } }))));
    const candidates = e.candidates || [];
    $('em-candidates-count').textContent = String(candidates.length);
    const more = clear($('em-candidates'));
    if (!candidates.length) more.appendChild(el('p', { className: 'empty', text: '没有可纳入的在办工单' }));
    candidates.forEach((t) => more.appendChild(ticketRow(t, now, el('button', {
      className: 'em-mini', text: '纳入', attrs: { type: 'button', title: '纳入应急，按预案时限处置' },
      on: { click: () => post('/api/v1/emergencies/' + e.id + '/tickets', { ticket: t.id }, t.number + ' 已纳入应急') } }))));
  }

  function drawCheckins(e) {
    const box = clear($('em-checkins'));
    e.checkins.forEach((c) => {
      const done = !!c.checked_in_at;
      const status = done ? (c.late ? '迟到 ' : '已到岗 ') + fmtTime(c.checked_in_at, true)
        : (c.late ? '未到岗 · 已超时' + (c.escalated_at ? '升级' : '') : '待到岗 · 时限 ' + fmtTime(c.due_at, true));
      box.appendChild(el('div', { className: 'row em-checkin ' + (done ? (c.late ? 'late-done' : 'done') : (c.late ? 'late' : 'waiting')),
        dataset: { department: c.department } },
        el('i', { className: 'dot ' + (done ? 'done' : (c.late ? 'overdue' : 'warning')) }),
        el('span', { className: 'dept', text: c.department_name }),
        el('span', { className: 'state', text: status })));
    });
  }

  function drawLog(e) {
    const box = clear($('em-log'));
    e.log.slice().reverse().forEach((x) => box.appendChild(el('div', { className: 'row em-log-row ' + x.action },
      el('span', { className: 'time', text: fmtTime(x.at, true) }),
      el('span', { className: 'what', text: labelOf('emergency_actions', x.action) }),
      el('span', { className: 'note', text: x.note || '', attrs: { title: x.note || '' } }))));
  }

  function drawMap(e) {
    if (!window.echarts) return;
    if (!state.chart) {
      state.chart = window.echarts.init($('em-map'), null, { renderer: 'canvas' });
      state.chart.on('click', (p) => {
        if (p.componentType === 'series' && p.data && p.data.id) window.open('/desk/tickets/' + p.data.id, '_blank', 'noopener');
      });
    }
    const inArea = (name) => {
      const z = (state.zones || []).find((x) => x.name === name);
      return !e.zones || (z && e.zones.includes(z.code));
    };
    const regions = (state.fc ? state.fc.features : []).map((f) => ({ name: f.properties.name,
      itemStyle: inArea(f.properties.name) ? { areaColor: '#4a1620', borderColor: '#ff7875', borderWidth: 2.5 }
        : { areaColor: '#0b1f3a' } }));
    const open = e.tickets.filter((t) => !t.released_at && t.location);
    const series = ['normal', 'warning', 'overdue'].map((s) => ({ name: labelOf('ticket_states', s),
      type: s === 'overdue' ? YC.zoneMap.alertMarker() : 'scatter', coordinateSystem: 'geo', symbolSize: s === 'normal' ? 10 : 13,
      itemStyle: { color: COLORS[s], borderColor: '#04182f', borderWidth: 1 }, zlevel: 1,
      data: open.filter((t) => !t.handled && t.state === s).map((t) => ({ name: t.number, value: [t.location.lng, t.location.lat], id: t.id })) }));
    series.push({ name: '已处置', type: 'scatter', coordinateSystem: 'geo', symbolSize: 8, zlevel: 1,
      itemStyle: { color: '#52e08a', borderColor: '#04182f', borderWidth: 1 },
      data: open.filter((t) => t.handled).map((t) => ({ name: t.number, value: [t.location.lng, t.location.lat], id: t.id })) });
    state.chart.setOption({ animation: false, tooltip: { trigger: 'item', formatter: (p) => p.name },
      geo: YC.zoneMap.geo('dark', { top: 16, bottom: 16, left: 16, right: 16, regions, scaleLimit: { min: 0.8, max: 12 },
        label: { fontSize: $('em-map').clientWidth < 600 ? 12 : 20 } }),
      series }, { replaceMerge: ['series'] });
    body.dataset.emPoints = String(open.length);
  }

  /** Draw the emergency layout from the feed's `emergency` part (and choose the layout). */
  function draw(data, fc, zones) {
    state.data = data;
    state.fc = fc || state.fc;
    state.zones = zones || state.zones;
    const e = current();
    applyMode();
    if (!e) return;
    drawHead(e, data.now);
    drawTickets(e, data.now);
    drawCheckins(e);
    drawLog(e);
    if (mode() === 'emergency') drawMap(e);
  }

  // --- declaring, levels, the end -------------------------------------------------------------------

  function openDeclare() {
    const plans = state.data ? state.data.plans : [];
    const select = clear($('declare-plan'));
    plans.forEach((p) => select.appendChild(el('option', { text: p.name, attrs: { value: p.code } })));
    const zones = clear($('declare-zones'));
    (state.zones || []).forEach((z) => zones.appendChild(el('label', { className: 'inline' },
      el('input', { attrs: { type: 'checkbox', value: z.code, 'data-zone': z.code } }), ' ' + z.name)));
    describePlan();
    $('declare-dialog').showModal();
  }

  function describePlan() {
    const plan = (state.data ? state.data.plans : []).find((p) => p.code === $('declare-plan').value);
    $('declare-plan-info').textContent = plan ? '纳入类别：' + plan.category_names.join('、') + '；签收 ' + YC.limitText(plan.response)
      + '，处置 ' + YC.limitText(plan.resolve) + '；到岗：' + plan.department_names.join('、') + '（'
      + YC.limitText(plan.checkin) + ' 内）' : '';
  }

  async function declare(event) {
    event.preventDefault();
    const form = $('declare-form');
    const zones = [...form.querySelectorAll('#declare-zones input:checked')].map((x) => x.value);
    const body = { plan: form.plan.value, level: Number(form.level.value), note: form.note.value || null,
      zones: $('declare-all').checked || !zones.length ? null : zones };
    try {
      const made = await api.post('/api/v1/emergencies', body);
      $('declare-dialog').close();
      form.reset();
      state.chosen = made.emergency.id;
      state.wantDaily = false;
      toast('已启动：' + made.emergency.title, 'ok');
      state.refresh();
    } catch (err) {
      toast(describeError(err), 'error');
    }
  }

  function wire(refresh) {
    state.refresh = refresh;
    $('mode-switch').addEventListener('click', () => { state.wantDaily = mode() === 'emergency'; draw(state.data); });
    $('declare-open').addEventListener('click', openDeclare);
    $('declare-cancel').addEventListener('click', () => $('declare-dialog').close());
    $('declare-plan').addEventListener('change', describePlan);
    $('declare-form').addEventListener('submit', declare);
    $('declare-all').addEventListener('change', (ev) => {
      $('declare-zones').querySelectorAll('input').forEach((x) => { x.checked = false; x.disabled = ev.target.checked; });
    });
    $('em-level-set').addEventListener('click', () => {
      const e = current();
      if (e) post('/api/v1/emergencies/' + e.id + '/level', { level: Number($('em-level').value) }, '级别已调整');
    });
    $('em-end').addEventListener('click', () => {
      const e = current();
      if (e && window.confirm('结束「' + e.title + '」？结束后生成复盘。')) {
        post('/api/v1/emergencies/' + e.id + '/end', {}, '应急已结束').then(() => window.open('/cockpit/emergencies/' + e.id + '/review', '_blank', 'noopener'));
      }
    });
    window.addEventListener('resize', () => state.chart && state.chart.resize());
  }

  YC.cockpitEmergency = { draw, wire, mode };
}());
