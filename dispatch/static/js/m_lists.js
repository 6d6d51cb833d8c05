/* /m/: the lists — YC.m.lists: 我的上报 (a 居委: 本居民区; with the ticket detail), 核查任务 (verify on site), 待发送.
 * All user-written text reaches the page through textContent (YC.el), never as HTML.
 */
(function () {
  'use strict';

  const { api, ApiError, describeError, el, clear, toast, fmtTime, fmtDue, labelOf,
    timelineNote, verifyPhotoIds, seenNote, invitationChip } = window.YC;
  const M = window.YC.m;
  const { me, $ } = M;
  const { outbox, flushOutbox } = M.queue;
  const { preparePhoto, zoneLabel } = M.report;

  /* ---------- 我的上报 and the ticket detail ---------- */

  function statusChip(status) {
    return el('span', { className: 'chip status-' + status, text: labelOf('statuses', status) });
  }

  function deadlineText(t) {
    const d = t.deadlines && t.deadlines.resolve;
    const kind = labelOf('deadline_kinds', 'resolve');
    if (!d || !d.due_at) return `${kind}：—`;
    return `${kind}：${fmtDue(d, true)}${d.overdue ? '（已超期）' : ''}`;
  }

  /* A duplicate (重复) report is merged into the ticket `duplicate_of` (an id): its number, when the
   * inspector may see that ticket, is fetched once per page. */
  const merged = new Map();
  function mergedLabel(id) {
    if (!merged.has(id)) {
      merged.set(id, api.get(`/api/v1/tickets/${id}`).then((res) => `已合并至 ${res.ticket.number}`, (err) => {
        if (!(err instanceof ApiError)) merged.delete(id); // offline: ask again next time
        return '已合并';
      }));
    }
    return merged.get(id);
  }

  /** What the 处置部门 column says: the department, 待派遣, or for a duplicate 已合并至 YC-… (filled in later). */
  function deptCell(t, tag, props) {
    const node = el(tag, props || {});
    if (t.status === 'duplicate') {
      node.textContent = '已合并';
      node.classList.add('merged');
      if (t.duplicate_of) mergedLabel(t.duplicate_of).then((text) => { node.textContent = text; });
    } else {
      node.textContent = t.department_name || (t.status === 'pending_dispatch' ? labelOf('statuses', t.status) : '—');
    }
    return node;
  }

  /** For a duplicate: a link to the ticket it joined ("查看 YC-…"), once its number is known (null when the
   * inspector may not see that ticket). */
  function mergedLink(t) {
    if (t.status !== 'duplicate' || !t.duplicate_of) return null;
    const link = el('button', { className: 'btn-link merged-link', attrs: { type: 'button', hidden: true },
      dataset: { original: t.duplicate_of }, on: { click: () => openDetail({ id: t.duplicate_of }) } });
    mergedLabel(t.duplicate_of).then((text) => {
      if (text === '已合并') return;
      link.textContent = '查看合并到的工单 ' + text.replace('已合并至 ', '');
      link.hidden = false;
    });
    return link;
  }

  function ticketCard(t, onOpen) {
    return el('li', { className: 'ticket', dataset: { id: t.id, number: t.number } },
      el('button', { className: 'ticket-open', attrs: { type: 'button' }, on: { click: () => onOpen(t) } },
        el('div', { className: 'row' }, el('strong', { className: 'number', text: t.number }),
          el('span', { className: 'chips' }, invitationChip(t), statusChip(t.status))),
        el('div', { className: 'row' }, el('span', { className: 'cat-name', text: t.category_name }),
          deptCell(t, 'span', { className: 'dept' })),
        el('p', { className: 'desc', text: t.description }),
        el('p', { className: 'meta' + (t.deadlines.resolve.overdue ? ' err' : ''), text: deadlineText(t) })),
      mergedLink(t));
  }

  /** 我的上报's search form: ?q= (number, address, words of the description) and a status, the API's filters. */
  function mineQuery() {
    // a 居委: every ticket of its 居民区 (and its own 约请); an inspector: its own reports
    const params = new URLSearchParams(me.role === 'committee' ? { limit: '100' } : { mine: '1', limit: '100' });
    const q = ($('mine-q') && $('mine-q').value.trim()) || '';
    const status = ($('mine-status') && $('mine-status').value) || '';
    if (q) params.set('q', q);
    if (status) params.set('status', status);
    return { params, filtered: !!(q || status) };
  }

  async function loadMine() {
    const { params, filtered } = mineQuery();
    const res = await api.get('/api/v1/tickets?' + params);
    const list = clear($('mine-list'));
    res.data.forEach((t) => list.appendChild(ticketCard(t, openDetail)));
    $('mine-empty').hidden = res.data.length > 0;
    $('mine-empty').textContent = filtered ? '没有符合条件的上报' : '还没有上报记录';
    $('mine-total').textContent = (filtered ? '查到 ' : '共 ') + res.count + ' 条';
    return res;
  }

  function initMineFilters() {
    const form = $('mine-filters');
    if (!form) return;
    const select = $('mine-status');
    Object.entries(window.YC.labels.statuses).forEach(([code, name]) => {
      select.appendChild(el('option', { text: name, attrs: { value: code } }));
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      loadMine().catch((e) => toast(describeError(e), 'error'));
    });
    select.addEventListener('change', () => form.requestSubmit());
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
    const seen = seenNote(t);
    const field = (label, value) => el('div', { className: 'field' }, el('dt', { text: label }), el('dd', { text: value || '—' }));
    box.appendChild(el('div', { className: 'row' }, el('h2', { text: t.number }),
      el('span', { className: 'chips' }, invitationChip(t), statusChip(t.status))));
    box.appendChild(el('dl', { className: 'fields' },
      field('类别', t.category_name), field('片区', zoneLabel(t.zone)), field('居民区', t.committee_name),
      el('div', { className: 'field' }, el('dt', { text: '处置部门' }), deptCell(t, 'dd'), mergedLink(t)),
      (t.answers || []).map((a) => field(a.question, a.text)),
      field('地址', t.address), field('描述', t.description),
      field(labelOf('deadline_kinds', 'response'), t.deadlines.response.due_at ? fmtDue(t.deadlines.response) : null),
      field(labelOf('deadline_kinds', 'resolve'), t.deadlines.resolve.due_at ? fmtDue(t.deadlines.resolve) + (t.deadlines.resolve.overdue ? '（已超期）' : '') : null),
      field('上报时间', fmtTime(t.created_at)),
      seen ? field('发现时间', seen) : null));
    if (t.photos && t.photos.length) {
      const checked = verifyPhotoIds(t.timeline);
      const photoLabel = (p) => (p.stage !== 'after' ? '处置前' : checked.has(p.id) ? '核查' : '处置后');
      box.appendChild(el('h3', { text: '照片' }));
      box.appendChild(el('div', { className: 'photos' }, t.photos.map((p) => el('figure', {},
        // the thumbnail (a few kB on mobile data); the photo itself opens on a tap, to zoom (photoviewer.js)
        el('a', { attrs: { href: p.url, target: '_blank', rel: 'noopener', 'data-photo': photoLabel(p) + '照片 · ' + t.number } },
          el('img', { attrs: { src: p.thumb_url || p.url, alt: photoLabel(p) + '照片', loading: 'lazy' } })),
        el('figcaption', { text: photoLabel(p) })))));
    }
    if (t.status === 'closed' && M.evaluate) {  // the 居委's evaluation (a 居委 evaluates here), above the record
      const slot = el('div', { className: 'evaluation-slot' });
      box.appendChild(slot);
      M.evaluate.panel(t, slot);
    }
    box.appendChild(el('h3', { text: '处理过程' }));
    box.appendChild(el('ol', { className: 'timeline' }, (t.timeline || []).map((e) => el('li', {},
      el('div', { className: 'row' }, el('strong', { text: window.YC.timelineWhat(e) }),
        el('span', { className: 'meta', text: fmtTime(e.at) })),
      el('p', { className: 'meta', text: window.YC.timelineWho(e)
        + (e.to_status && e.to_status !== e.from_status ? ` → ${labelOf('statuses', e.to_status)}` : '') }),
      timelineNote(e) ? el('p', { className: 'note', text: timelineNote(e) }) : null))));
  }

  /* ---------- 核查任务 ---------- */

  /* An inspector may not verify a ticket they resolved on the spot themselves (自行处置): the server
   * refuses it. The list API does not say who resolved a ticket, so each resolved ticket's timeline is
   * read once per version (the latest resolve or self_resolve step, data.self_resolved_by). */
  const resolverCache = new Map(); // ticket id -> {version, by}

  function selfResolver(ticket) {
    const last = (ticket.timeline || []).filter((e) => e.action === 'resolve' || e.action === 'self_resolve').pop();
    return last && last.action === 'self_resolve' && last.data ? last.data.self_resolved_by || null : null;
  }

  async function selfResolvedByMe(t) {
    if (me.role !== 'inspector') return false; // the command center may verify any resolved ticket
    let hit = resolverCache.get(t.id);
    if (!hit || hit.version !== t.version) {
      try {
        const detail = (await api.get(`/api/v1/tickets/${t.id}`)).ticket;
        hit = { version: detail.version, by: selfResolver(detail) };
        resolverCache.set(t.id, hit);
      } catch (err) {
        return false; // cannot tell: list it; the check before sending asks again
      }
    }
    return hit.by === me.id;
  }

  /** fn over items, at most `n` at a time; results in order. */
  async function pool(items, n, fn) {
    const out = new Array(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
    return out;
  }

  let verifySeq = 0; // loads overlap (start-up, the tab, after a 核查): only the newest answer is drawn

  async function loadVerify() {
    const seq = ++verifySeq;
    const q = new URLSearchParams({ status: 'resolved', limit: '100' });
    if (me.zone) q.set('zone', me.zone);
    const res = await api.get('/api/v1/tickets?' + q);
    const mine = await pool(res.data, 6, selfResolvedByMe);
    if (seq !== verifySeq) return res;
    const tickets = res.data.filter((t, i) => !mine[i]);
    const count = res.count - (res.data.length - tickets.length);
    $('verify-scope').textContent = me.zone ? `${me.zoneName || me.zone} · 已处置待核查 ${count} 条` : `已处置待核查 ${count} 条`;
    const badge = $('verify-count');
    badge.textContent = String(count);
    badge.hidden = count === 0;
    // A card whose 核查 form is open keeps its photo and note: it stays as it is, even when its ticket
    // left the list (closed by someone else — sending then says so, and nothing is lost unseen).
    const list = $('verify-list');
    const open = new Map(Array.from(list.querySelectorAll('.verify-item.checking:not([data-result])'))
      .map((card) => [card.dataset.id, card]));
    clear(list);
    tickets.forEach((t) => list.appendChild(open.get(String(t.id)) || verifyCard(t)));
    open.forEach((card, id) => { if (!tickets.some((t) => String(t.id) === id)) list.appendChild(card); });
    $('verify-empty').hidden = list.children.length > 0;
    return res;
  }

  function verifyCard(t) {
    const photoInput = el('input', { attrs: { type: 'file', accept: 'image/*', capture: 'environment' } });
    const preview = el('img', { className: 'photo-preview', attrs: { alt: '核查照片预览', hidden: true } });
    const note = el('textarea', { attrs: { rows: '2', maxlength: '2000', placeholder: '核查说明（不通过时必填）' } });
    const error = el('p', { className: 'form-error', attrs: { role: 'alert', hidden: true } });
    let photo = null;
    let uploaded = null; // the photo already stored on the ticket (a failed 核查 is retried without a second copy)
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

    /** Everything that can be known before the photo goes up: null when the 核查 may go ahead. */
    async function precheck() {
      const now = (await api.get(`/api/v1/tickets/${t.id}`)).ticket;
      if (now.status !== 'resolved') {
        return { message: `${t.number} 当前状态为「${labelOf('statuses', now.status)}」，不在待核查状态，请刷新列表` };
      }
      if (me.role === 'inspector' && selfResolver(now) === me.id) {
        return { message: '您自行处置的事件须由其他巡查员或城运中心核查' };
      }
      return { ticket: now };
    }

    const decide = async (passed) => {
      error.hidden = true;
      if (!photo) return showErr('请先拍摄核查现场照片');
      if (!passed && !note.value.trim()) return showErr('不通过时请填写原因');
      buttons.forEach((b) => { b.disabled = true; });
      let photoStored = uploaded === photo;
      try {
        const check = await precheck();
        if (!check.ticket) {
          card.dataset.blocked = '1';
          return showErr(check.message);
        }
        if (!photoStored) {
          const form = new FormData();
          form.append('photo', photo, 'verify.jpg');
          form.append('stage', 'after');
          await api.upload(`/api/v1/tickets/${t.id}/photos`, form);
          uploaded = photo;
          photoStored = true;
        }
        const res = await api.post(`/api/v1/tickets/${t.id}/actions`,
          { action: 'verify', passed, note: note.value.trim() || null, version: check.ticket.version });
        toast(passed ? `${t.number} 核查通过，已结案` : `${t.number} 核查不通过，已退回返工`, 'ok');
        card.dataset.result = res.ticket.status;
        await loadVerify();
      } catch (err) {
        showErr(photoStored
          ? `核查未完成：${describeError(err)}。核查照片已上传并留在工单记录中，核查结果未保存。`
          : `核查未完成：${describeError(err)}`);
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
          on: { click: () => { panel.hidden = !panel.hidden; card.classList.toggle('checking', !panel.hidden); } } }),
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

  initMineFilters();
  M.lists = { loadMine, loadVerify, renderOutbox, openDetail, mergedLabel };
}());
