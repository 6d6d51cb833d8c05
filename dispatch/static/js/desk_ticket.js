/* 部门工作台 /desk/tickets/<id>: one ticket — map, photos, 留痕 (timeline), deadlines, and the actions
 * this user may take (签收, 退单, 处置完成 with the after photo, 申请延期 …; for the command center also
 * 派遣, 催办, 改派 with a department and a reason, 督办, 挂账 with a reason, 恢复, 作废 with a reason and a
 * confirmation, and after an 不满意 回访 回访返工 or 驳回返工 with a reason; 吹哨 and 关闭协办, and an assisting
 * department's 报到 and 协办完成: desk_joint.js), and the ticket's 回访 (follow-up visits: due time, the visit, the
 * record form).
 */
(function () {
  'use strict';

  const YC = window.YC;
  const { api, el, clear, toast, fmtTime, fmtDue, describeError, busy, labelOf, timelineNote, verifyPhotoIds, seenNote } = YC;
  const { markDrawn, deadlineCell, stateBadge, statusBadge, limitText } = YC.desk;

  function drawMap(node, ticket) {
    let chart = window.echarts.getInstanceByDom(node);
    if (!chart) {
      chart = window.echarts.init(node);
      YC.zoneMap.attachBase(chart); // 底图 under the zones when config/map.toml names one
    }
    const point = ticket.location ? [ticket.location.lng, ticket.location.lat] : null;
    chart.setOption({
      animation: false,
      geo: YC.zoneMap.geo('light', {
        top: 10, bottom: 10,
        regions: ticket.zone_name ? [{ name: ticket.zone_name, itemStyle: { areaColor: '#d6e6fa' } }] : [],
      }),
      series: [{
        type: 'scatter', coordinateSystem: 'geo', symbol: 'pin', symbolSize: 34,
        itemStyle: { color: '#e5484d' }, data: point ? [{ name: ticket.number, value: point }] : [],
      }],
    }, true);
    window.addEventListener('resize', () => chart.resize());
  }

  const CRS_NAMES = { wgs84: 'WGS-84', gcj02: 'GCJ-02', bd09: 'BD-09' };

  /** The map in words (for the keyboard, a screen reader and the printed 工单): address, zone and 居民区, how
   *  the zone was found, the coordinates (WGS-84, and as reported when they came in another system). */
  function drawPlace(node, t) {
    const coords = (p) => '经度 ' + p.lng.toFixed(5) + '，纬度 ' + p.lat.toFixed(5);
    const zone = t.zone_name
      ? t.zone_name + (t.locate_how === 'tolerance' ? '（片区边界外 ' + Math.round(t.zone_distance_m || 0) + ' 米，归最近片区）' : '')
      : '片区外' + (t.zone_distance_m ? '（距最近片区 ' + Math.round(t.zone_distance_m) + ' 米，由城运中心派遣）' : '');
    const rows = [['地址', t.address || '未填写'], ['片区', zone + (t.committee_name ? ' · ' + t.committee_name : '')],
      ['坐标', t.location ? coords(t.location) + '（WGS-84）' : '无']];
    const original = t.original_location;
    if (original && original.crs && original.crs !== 'wgs84') rows.push(['上报坐标', coords(original) + '（' + (CRS_NAMES[original.crs] || original.crs) + '）']);
    clear(node).append(...rows.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]));
  }

  function infoRow(label, value) {
    return el('div', { className: 'kv' }, el('span', { className: 'k', text: label }),
      el('span', { className: 'v', text: value === null || value === undefined || value === '' ? '—' : value }));
  }

  function drawInfo(node, data) {
    const t = data.ticket;
    const seen = seenNote(t);
    clear(node);
    node.append(
      el('h2', { text: '工单信息' }),
      infoRow('类别', t.category_name),
      infoRow('片区', t.zone_name || '片区外'),
      infoRow('居民区', t.committee_name),
      ...(t.source === 'committee' ? [infoRow('来源', labelOf('sources', 'committee') + '（居委上报）')] : []),
      infoRow('处置部门', t.department_name || '未派遣'),
      ...(t.answers || []).map((a) => infoRow(a.question, a.text)),
      infoRow('地址', t.address),
      infoRow('上报时间', fmtTime(t.created_at)),
      ...(seen ? [infoRow('发现时间', seen)] : []),
      infoRow('返工次数', String(t.rework_count)),
      el('div', { className: 'kv' }, el('span', { className: 'k', text: '描述' }),
        el('p', { className: 'v description', text: t.description, dataset: { testid: 'description' } })),
    );
  }

  /** 顽症: "此处 30 天内第 N 次上报" with links to the earlier reports (those this user may open), when N makes a hotspot. */
  function drawRecurrence(node, rec) {
    const old = node.querySelector('.recurrence');
    if (old) old.remove();
    if (!rec || !rec.hotspot) return;
    const links = rec.others.map((o) => (o.visible
      ? el('a', { text: o.number, attrs: { href: '/desk/tickets/' + o.id, title: fmtTime(o.created_at) } })
      : el('span', { text: o.number, attrs: { title: fmtTime(o.created_at) } })));
    const box = el('div', { className: 'recurrence', dataset: { testid: 'recurrence', count: String(rec.count) } },
      el('strong', { text: '顽症 · 此处 ' + rec.window_days + ' 天内第 ' + rec.count + ' 次上报' }),
      el('span', { className: 'muted', text: '(同类问题，' + rec.radius_m + ' 米内)此前：' }),
      el('span', { className: 'recurrence-links' }, ...links));
    node.insertBefore(box, node.children[1] || null);
  }

  /** A deadline's limit as the page shows it: the category's, plus each approved 延期 ("4 工作时 + 延期 1 工作日"). */
  function limitLabel(d, extensions) {
    return limitText(d.limit) + (extensions || []).map((x) => ' + 延期 ' + limitText(x)).join('');
  }

  function drawDeadlines(node, t, formerHolder, extensions) {
    clear(node);
    node.appendChild(el('h2', { text: '时限' }));
    if (formerHolder) {  // the clocks of the round it is in now, not of this department's round
      node.appendChild(el('p', { className: 'muted', dataset: { testid: 'deadlines-of' },
        text: t.department_name ? '以下为现承办部门（' + t.department_name + '）的时限' : '本部门已不再承办，以下为工单当前的时限' }));
    }
    ['response', 'resolve'].forEach((kind) => {
      const d = t.deadlines[kind] || {};
      node.appendChild(el('div', { className: 'deadline', dataset: { kind } },
        el('span', { className: 'k', text: labelOf('deadline_kinds', kind)
          + (d.limit ? '（' + limitLabel(d, kind === 'resolve' ? extensions : []) + '）' : '') }),
        el('span', { className: 'due', dataset: { provisional: d.provisional ? '1' : '0' },
          attrs: { title: d.provisional ? '预计：该年度节假日安排尚未公布，按放假办法推算，公布后自动重算' : null },
          text: d.due_at ? '截止 ' + fmtDue(d, true) : '未开始' }),
        deadlineCell(t, kind)));
    });
    if (t.extension_count) node.appendChild(el('p', { className: 'muted', text: '已批准延期 ' + t.extension_count + ' 次' }));
  }

  function drawPhotos(node, t) {
    clear(node);
    node.appendChild(el('h2', { text: '照片' }));
    const checked = verifyPhotoIds(t.timeline);
    const groupOf = (p) => (p.stage === 'after' && checked.has(p.id) ? 'verify' : p.stage);
    const stages = [['before', '处置前'], ['after', '处置后'], ['verify', '核查']];
    stages.forEach(([stage, label]) => {
      const photos = (t.photos || []).filter((p) => groupOf(p) === stage);
      if (stage === 'verify' && !photos.length) return; // only once somebody checked on site
      const strip = el('div', { className: 'thumbs', dataset: { stage } });
      photos.forEach((p) => strip.appendChild(el('a', { attrs: { href: p.url, target: '_blank', rel: 'noopener', 'data-photo': label + '照片 · ' + t.number } },
        el('img', { className: 'thumb', attrs: { src: p.thumb_url || p.url, alt: label + '照片', loading: 'lazy' } }))));
      if (!photos.length) strip.appendChild(el('span', { className: 'muted', text: '无' }));
      node.appendChild(el('div', { className: 'photo-group' }, el('h3', { text: label }), strip));
    });
  }

  function drawTimeline(node, t) {
    clear(node);
    node.appendChild(el('h2', { text: '处置留痕' }));
    const list = el('ol', { className: 'timeline' });
    (t.timeline || []).forEach((e) => {
      const moved = e.from_status && e.to_status && e.from_status !== e.to_status
        ? labelOf('statuses', e.from_status) + ' → ' + labelOf('statuses', e.to_status) : '';
      list.appendChild(el('li', { dataset: { action: e.action } },
        el('span', { className: 'at', text: fmtTime(e.at) }),
        el('span', { className: 'what', text: YC.timelineWhat(e) }),
        el('span', { className: 'who', text: YC.timelineWho(e) }),
        moved ? el('span', { className: 'moved', text: moved }) : null,
        timelineNote(e) ? el('p', { className: 'note', text: timelineNote(e) }) : null));
    });
    node.appendChild(list);
  }

  function field(label, control) {
    return el('label', { className: 'field' }, el('span', { text: label }), control);
  }

  function actionForm(action, data, submit) {
    const t = data.ticket;
    const err = el('p', { className: 'form-error', attrs: { role: 'alert' } });
    err.hidden = true;
    const form = el('form', { className: 'action-form', dataset: { form: action }, attrs: { novalidate: true } });
    form.hidden = true;
    const go = el('button', { className: 'btn btn-primary', text: '确认', attrs: { type: 'submit' } });
    let read;
    if (action === 'return') {
      const reason = el('textarea', { attrs: { name: 'reason', rows: 3, required: true, maxlength: 2000,
        placeholder: '退单原因（必填）：为何不属于本部门' } });
      form.append(field('退单原因', reason));
      read = () => {
        if (!reason.value.trim()) throw new Error('请填写退单原因');
        return { json: { action, reason: reason.value.trim(), version: t.version } };
      };
    } else if (action === 'resolve') {
      const photo = el('input', { attrs: { type: 'file', name: 'photo', accept: 'image/jpeg,image/png,image/webp' } });
      const preview = el('img', { className: 'thumb preview', attrs: { alt: '处置后照片预览' } });
      const picked = el('span', { className: 'muted', text: '未选择照片' });
      preview.hidden = true;
      photo.addEventListener('change', () => {
        const file = photo.files && photo.files[0];
        if (preview.src) URL.revokeObjectURL(preview.src);
        preview.hidden = !file;
        if (file) preview.src = URL.createObjectURL(file);
        picked.textContent = file ? file.name : '未选择照片';
      });
      const note = el('textarea', { attrs: { name: 'note', rows: 2, maxlength: 2000, placeholder: '处置说明（可选）' } });
      form.append(
        el('div', { className: 'field' }, el('span', { text: '处置后照片' + (data.after_photo_required ? '（必传）' : '（可选）') }),
          el('div', { className: 'file-row' }, el('label', { className: 'btn file-pick' }, '选择照片', photo), picked, preview)),
        field('处置说明', note));
      read = () => {
        const file = photo.files && photo.files[0];
        if (!file && data.after_photo_required) throw new Error('请上传处置后照片');
        return { file, json: { action, note: note.value.trim() || null, version: t.version } };
      };
    } else if (action === 'request_extension') {
      const amount = el('input', { attrs: { type: 'number', name: 'amount', min: '0.5', step: '0.5', value: '1', required: true } });
      const unit = el('select', { attrs: { name: 'unit' } },
        el('option', { text: '工作时', attrs: { value: 'hours' } }), el('option', { text: '工作日', attrs: { value: 'days', selected: true } }));
      const reason = el('textarea', { attrs: { name: 'reason', rows: 2, required: true, maxlength: 2000, placeholder: '延期理由（必填）' } });
      form.append(el('div', { className: 'inline' }, field('延长', amount), field('单位', unit)), field('延期理由', reason));
      read = () => {
        const n = Number(amount.value);
        if (!(n > 0)) throw new Error('请填写延长的时长');
        if (!reason.value.trim()) throw new Error('请填写延期理由');
        return { json: { action, [unit.value]: n, reason: reason.value.trim(), version: t.version } };
      };
    } else if (action === 'decline_reopen') {
      const reason = el('textarea', { attrs: { name: 'reason', rows: 2, required: true, maxlength: 2000,
        placeholder: '驳回理由（必填）：为何不返工' } });
      form.append(field('驳回理由', reason));
      read = () => {
        if (!reason.value.trim()) throw new Error('请填写驳回理由');
        return { json: { action, reason: reason.value.trim(), version: t.version } };
      };
    } else if (action === 'suspend' || action === 'cancel') {
      const what = action === 'suspend' ? '挂账' : '作废';
      const reason = el('textarea', { attrs: { name: 'reason', rows: 2, required: true, maxlength: 2000,
        placeholder: action === 'suspend' ? '挂账原因（必填）：为何暂缓处置，何时可恢复' : '作废原因（必填）：为何不再处置' } });
      form.append(field(what + '原因', reason));
      if (action === 'suspend') {
        form.append(el('p', { className: 'muted small', text: '挂账期间时限暂停计时；恢复后按剩余时限继续。' }));
      } else {
        form.append(el('p', { className: 'form-warn', text: '作废后工单结束，不能恢复。' }));
        go.className = 'btn btn-danger';
        go.textContent = '确认作废';
      }
      read = () => {
        if (!reason.value.trim()) throw new Error('请填写' + what + '原因');
        if (action === 'cancel' && !window.confirm('确定作废工单 ' + t.number + '？作废后不能恢复。')) return null;
        return { json: { action, reason: reason.value.trim(), version: t.version } };
      };
    } else if (action === 'whistle') {
      const whistle = YC.deskJoint.whistleFields(data);
      form.append(...whistle.nodes);
      read = () => ({ json: whistle.read() });
    } else if (action === 'reassign') {  // 改派: another department with a desk, and why (both required)
      const dept = el('select', { attrs: { name: 'department', required: true } },
        el('option', { text: '选择新的处置部门', attrs: { value: '' } }),
        data.departments.filter((d) => d.code !== t.department).map((d) => el('option', { text: d.name, attrs: { value: d.code } })));
      const reason = el('textarea', { attrs: { name: 'reason', rows: 2, required: true, maxlength: 2000,
        placeholder: '改派原因（必填）：为何改由其他部门处置' } });
      form.append(field('改派至', dept), field('改派原因', reason),
        el('p', { className: 'muted small', text: '改派后原部门的时限终止；新部门重新签收，时限自改派时起重新计算。' }));
      read = () => {
        if (!dept.value) throw new Error('请选择新的处置部门');
        if (!reason.value.trim()) throw new Error('请填写改派原因');
        return { json: { action, department: dept.value, reason: reason.value.trim(), version: t.version } };
      };
    } else if (action === 'urge') {  // 催办: a reminder to the department (at most once an hour)
      const note = el('textarea', { attrs: { name: 'note', rows: 2, maxlength: 2000, placeholder: '催办说明（可选），如：请于今日 16:00 前签收' } });
      form.append(field('催办说明', note),
        el('p', { className: 'muted small', text: '催办记入处置留痕并通知处置部门；同一工单 1 小时内只能催办一次。' }));
      read = () => ({ json: { action, note: note.value.trim() || null, version: t.version } });
    } else if (action === 'dispatch') {
      const dept = el('select', { attrs: { name: 'department', required: true } },
        el('option', { text: '选择处置部门', attrs: { value: '' } }),
        data.departments.map((d) => el('option', { text: d.name, attrs: { value: d.code } })));
      form.append(field('派遣至', dept));
      read = () => {
        if (!dept.value) throw new Error('请选择处置部门');
        return { json: { action, department: dept.value, version: t.version } };
      };
    } else {
      const note = el('textarea', { attrs: { name: 'note', rows: 2, maxlength: 2000, placeholder: '说明（可选）' } });
      form.append(field('说明', note));
      read = () => ({ json: { action, note: note.value.trim() || null, version: t.version } });
    }
    form.append(err, go);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.hidden = true;
      let payload;
      try {
        payload = read();
      } catch (e) {
        err.textContent = e.message;
        err.hidden = false;
        return;
      }
      if (!payload) return; // not confirmed
      await busy(go, () => submit(payload), (message) => { err.textContent = message; err.hidden = false; });
    });
    return form;
  }

  /** The 居委's evaluation of the ticket (评价), and for the command center a 复核 request to decide. */
  function drawEvaluation(node, data, decide) {
    const ev = data.evaluation;
    if (!ev || ev.state === 'not_due') return;
    const box = el('div', { className: 'evaluation', dataset: { testid: 'evaluation', state: ev.state } });
    if (ev.evaluation) {
      const e = ev.evaluation;
      box.appendChild(el('p', { className: 'notice', text: '居委评价（' + (e.committee_name || '') + '，' + fmtTime(e.at, true)
        + '）：响应度' + labelOf('grades', e.responsiveness) + '，处置' + labelOf('grades', e.handling)
        + (e.note ? '。' + e.note : '') }));
    } else {
      box.appendChild(el('p', { className: 'muted', text: labelOf('evaluation_states', ev.state)
        + (ev.state === 'awaiting' && ev.window_ends_at ? '：居委可于 ' + fmtTime(ev.window_ends_at, true) + ' 前评价' : '') }));
    }
    const r = ev.review;
    if (r) {
      box.appendChild(el('p', { className: 'notice' + (r.status === 'pending' ? ' warn' : ''), dataset: { testid: 'review' },
        text: labelOf('review_statuses', r.status) + '：' + (r.committee_name || '居委') + '认为处置不满意——' + r.note
          + (r.decision_reason ? '（城运中心：' + r.decision_reason + '）' : '') }));
      if (r.status === 'pending' && decide) {
        const reason = el('textarea', { attrs: { rows: '2', maxlength: '2000', placeholder: '复核意见（必填）' },
          dataset: { testid: 'review-reason' } });
        const send = (decision) => async () => {
          if (!reason.value.trim()) { toast('请填写复核意见', 'error'); return; }
          try {
            await decide(r.id, { decision, reason: reason.value.trim(), version: data.ticket.version });
          } catch (e) {
            toast(describeError(e), 'error');
          }
        };
        box.appendChild(el('div', { className: 'review-form' }, reason, el('div', { className: 'action-buttons' },
          el('button', { className: 'btn btn-primary', text: '复核返工', attrs: { type: 'button' }, dataset: { decision: 'rework' },
            on: { click: send('rework') } }),
          el('button', { className: 'btn', text: '驳回复核', attrs: { type: 'button' }, dataset: { decision: 'dismiss' },
            on: { click: send('dismiss') } }))));
      }
    }
    node.appendChild(box);
  }

  function drawActions(node, data, run, decide) {
    clear(node);
    node.appendChild(el('h2', { text: '操作' }));
    const t = data.ticket;
    drawEvaluation(node, data, decide);
    if (data.pending_extension) {
      const p = data.pending_extension;
      node.appendChild(el('p', { className: 'notice', dataset: { testid: 'pending-extension' },
        text: '延期申请待城运中心审批：延长 ' + limitText(p.amount) + '，理由：' + p.reason }));
    }
    if (data.pending_reopen) {
      const r = data.pending_reopen;
      node.appendChild(el('p', { className: 'notice', dataset: { testid: 'pending-reopen' },
        text: '回访不满意，申请返工待城运中心审批（' + fmtTime(r.requested_at, true) + '）：' + r.reason }));
    }
    if (data.returned) {  // waiting for dispatch because a department sent it back (退单)
      const r = data.returned;
      node.appendChild(el('p', { className: 'notice', dataset: { testid: 'returned-notice' },
        text: (r.department_name || '处置部门') + (r.by ? '（' + r.by + '）' : '') + '已于 ' + fmtTime(r.at, true)
          + ' 退单，原因：' + (r.reason || '—') + '。请核实后重新派遣。' }));
    }
    if (t.status === 'suspended') {
      const entry = (t.timeline || []).filter((e) => e.action === 'suspend').pop();
      node.appendChild(el('p', { className: 'notice', dataset: { testid: 'suspended-notice' },
        text: '挂账中' + (t.suspended_at ? '（' + fmtTime(t.suspended_at, true) + ' 起）' : '') + '，时限暂停计时'
          + (entry && entry.note ? '。原因：' + entry.note : '') }));
    }
    if (data.former_holder) {
      // held before (退单, or relieved by 自行处置): the record to read, nothing to do
      node.appendChild(el('p', { className: 'notice', dataset: { testid: 'former-holder-notice' },
        text: data.former_holder.notice }));
      if (!data.actions.length) return;
    }
    if (!data.actions.length || data.actions.every(({ action }) => action === 'check_in' || action === 'finish_task')) {
      if (data.own_task) {  // an assisting department: its task is done from the 吹哨报到 card
        node.appendChild(el('p', { className: 'muted', dataset: { testid: 'assist-only' },
          text: '本部门为协办部门：请在“吹哨报到”中报到和提交完成情况' }));
        return;
      }
      node.appendChild(el('p', { className: 'muted', dataset: { testid: 'no-actions' },
        text: '当前状态（' + labelOf('statuses', t.status) + '）下您没有可执行的操作' }));
      return;
    }
    const buttons = el('div', { className: 'action-buttons' });
    const forms = el('div', { className: 'action-forms' });
    const direct = new Set(['accept', 'supervise', 'approve_extension', 'reject_extension', 'resume']);
    const onTask = new Set(['check_in', 'finish_task']);  // in the 吹哨报到 card, beside the task
    const primary = new Set(['accept', 'resolve', 'resume', 'reopen']);
    data.actions.forEach(({ action, label }) => {
      if (onTask.has(action)) return;
      const btn = el('button', { className: 'btn' + (primary.has(action) ? ' btn-primary' : '')
          + (action === 'cancel' ? ' btn-danger' : ''),
        text: label, attrs: { type: 'button' }, dataset: { action } });
      if (direct.has(action)) {
        btn.addEventListener('click', () => busy(btn, () => run({ json: { action, version: t.version } })));
      } else {
        const form = actionForm(action, data, run);
        forms.appendChild(form);
        btn.addEventListener('click', () => {
          forms.querySelectorAll('form').forEach((f) => { if (f !== form) f.hidden = true; });
          form.hidden = !form.hidden;
        });
      }
      buttons.appendChild(btn);
    });
    node.append(buttons, forms);
  }

  /** The ticket's 回访: each with its reason, due time and the visit, or (the command center) the record form. */
  function drawFollowups(node, data, reload) {
    const list = data.followups || [];
    node.hidden = !list.length;
    clear(node);
    if (!list.length) return;
    node.appendChild(el('h2', { text: '跟踪回访' }));
    list.forEach((f) => {
      const v = f.visit;
      const item = el('div', { className: 'followup', dataset: { followup: f.id, done: f.done_at ? '1' : '0' } },
        el('div', { className: 'kv' }, el('span', { className: 'k', text: '第' + f.closure + '次结案' }),
          el('span', { className: 'v', text: fmtTime(f.opened_at, true) + ' · ' + labelOf('followup_reasons', f.reason) })),
        el('div', { className: 'kv' }, el('span', { className: 'k', text: '回访时限' }),
          el('span', { className: 'v' }, '截止 ' + fmtTime(f.due_at, true) + ' ',
            el('span', { className: 'left' + (f.overdue ? ' overdue' : ''), text: YC.followup.dueText(f) }))),
        v ? el('div', { className: 'kv' }, el('span', { className: 'k', text: '回访结果' }),
          el('span', { className: 'v', dataset: { testid: 'visit' },
            text: YC.followup.visitText(v) + '（' + v.actor + '，' + fmtTime(v.at, true) + '）'
              + ({ pending: '；返工申请待审批', approved: '；已批准返工', declined: '；返工申请已驳回' }[f.reopen_request] || '') })) : null);
      if (!v && data.can_record_followup) {
        item.appendChild(YC.followup.form(f, async () => {
          toast('回访已记录', 'ok');
          await reload();
        }));
      }
      node.appendChild(item);
    });
  }

  function initTicket(root) {
    const id = root.dataset.ticketId;
    document.getElementById('print-btn').addEventListener('click', () => window.print());  // the A4 工单 (desk.css @media print)
    const parts = {
      head: document.getElementById('ticket-badges'), info: document.getElementById('ticket-info'),
      deadlines: document.getElementById('ticket-deadlines'), actions: document.getElementById('ticket-actions'),
      joint: document.getElementById('ticket-joint'),
      photos: document.getElementById('ticket-photos'), timeline: document.getElementById('ticket-timeline'),
      followups: document.getElementById('ticket-followups'),
      map: document.getElementById('ticket-map'),
    };
    YC.photoViewer.attach(parts.photos); // a photo opens full size over the page, to zoom (photoviewer.js)

    async function run(payload) {
      if (payload.file) {
        const form = new FormData();
        form.append('photo', payload.file);
        form.append('stage', 'after');
        await api.upload('/api/v1/tickets/' + id + '/photos', form);
      }
      const result = await api.post('/api/v1/tickets/' + id + '/actions', payload.json);
      if (payload.json.action === 'return' && result.ticket.department === null && root.dataset.role === 'department') {
        location.href = '/desk/#returned'; // no longer this department's ticket: back to the list
        return;
      }
      toast((YC.labels.actions[payload.json.action] || '操作') + '成功', 'ok');
      await load();
    }

    /** The command center decides a 复核 request: 复核返工 (back to the department) or 驳回复核. */
    async function decide(reviewId, body) {
      await api.post('/api/v1/reviews/' + reviewId + '/decision', body);
      toast(body.decision === 'rework' ? '已复核返工，退回原部门' : '已驳回复核', 'ok');
      await load();
    }

    async function load() {
      let data;
      const recurrence = api.get('/api/v1/tickets/' + id + '/recurrence').catch(() => null);  // optional: no banner on error
      try {
        data = await api.get('/desk/tickets/' + id + '.json');
      } catch (err) {
        toast(describeError(err), 'error');
        return;
      }
      const t = data.ticket;
      YC.desk.setWorkday(data.workday_minutes);
      clear(parts.head).append(...[statusBadge(t.status), stateBadge(t.state), YC.invitationChip(t),
        t.supervised ? el('span', { className: 'chip state state-supervised', text: labelOf('ticket_states', 'supervised') }) : null,
        t.emergency ? el('span', { className: 'chip emergency', dataset: { testid: 'emergency-chip' },
          attrs: { title: '按应急预案时限处置：' + t.emergency.plan_name }, text: '应急 · ' + t.emergency.plan_name }) : null,
      ].filter(Boolean));
      root.dataset.status = t.status;
      drawInfo(parts.info, data);
      drawRecurrence(parts.info, await recurrence);
      drawDeadlines(parts.deadlines, t, !!data.former_holder, data.extensions_approved);
      drawActions(parts.actions, data, run, ['command', 'admin'].includes(root.dataset.role) ? decide : null);
      YC.deskJoint.drawParticipants(parts.joint, data, load);
      drawPhotos(parts.photos, t);
      drawFollowups(parts.followups, data, load);
      drawTimeline(parts.timeline, t);
      drawPlace(document.getElementById('ticket-place'), t);
      try {
        await YC.zoneMap.load();
        drawMap(parts.map, t);
      } catch (err) {
        parts.map.textContent = '地图加载失败';
      }
      markDrawn();
    }

    load();
  }

  document.addEventListener('DOMContentLoaded', () => {
    const ticket = document.querySelector('[data-page="desk-ticket"]');
    if (ticket) initTicket(ticket);
  });
}());
