/* /m/: the lists — YC.m.lists: 我的上报 (with the ticket detail), 核查任务 (verify on site), 待发送.
 * All user-written text reaches the page through textContent (YC.el), never as HTML.
 */
(function () {
  'use strict';

  const { api, describeError, el, clear, toast, fmtTime, STATUS_LABELS, ACTION_LABELS, ROLE_LABELS } = window.YC;
  const M = window.YC.m;
  const { me, $ } = M;
  const { outbox, flushOutbox } = M.queue;
  const { preparePhoto, zoneLabel } = M.report;

  /* ---------- 我的上报 and the ticket detail ---------- */

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
    M.showTab('detail');
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

  /* ---------- 待发送 ---------- */

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

  M.lists = { loadMine, loadVerify, renderOutbox };
}());
