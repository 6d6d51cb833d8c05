/* 宜川路街道网格化管理 — shared browser helpers: the JSON API wrapper and safe DOM building.
 *
 * window.YC.api.get(url) / .post(url, json, {headers}) / .upload(url, formData) / .request(method, url, opts)
 *   same-origin cookies, X-CSRF-Token from <meta name="csrf-token"> on unsafe methods,
 *   resolves to the parsed JSON body; rejects with YC.ApiError (status, code, message) for an
 *   HTTP error, or YC.NetworkError when the request never got an answer (offline).
 * window.YC.clearOfflineCopies() deletes /m/'s offline copy (run on 退出 and on pages with nobody signed in).
 * window.YC.el(tag, props, ...children) builds elements; text always goes in as text (textContent),
 *   never as HTML — user-written text (descriptions, notes, names) must only reach the page this way.
 */
(function () {
  'use strict';

  const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
  const TZ = 'Asia/Shanghai';

  class ApiError extends Error {
    constructor(status, code, message, body) {
      super(message);
      this.name = 'ApiError';
      this.status = status;
      this.code = code;
      this.body = body || null;
    }
  }

  class NetworkError extends Error {
    constructor(message) {
      super(message || '网络不可用');
      this.name = 'NetworkError';
    }
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }

  async function request(method, url, opts) {
    const { json, form, headers, withDate } = opts || {};
    const h = new Headers(headers || {});
    h.set('Accept', 'application/json');
    if (!SAFE_METHODS.has(method)) h.set('X-CSRF-Token', csrfToken());
    let body;
    if (json !== undefined) {
      h.set('Content-Type', 'application/json');
      body = JSON.stringify(json);
    } else if (form !== undefined) {
      body = form; // FormData: the browser sets the multipart boundary
    }
    let response;
    try {
      // GETs revalidate every time (If-None-Match → 304 keeps the polled feeds cheap); never a stale body
      const cache = method === 'GET' ? 'no-cache' : 'no-store';
      response = await fetch(url, { method, headers: h, body, credentials: 'same-origin', cache });
    } catch (err) {
      throw new NetworkError();
    }
    let data = null;
    if ((response.headers.get('Content-Type') || '').includes('json')) {
      try { data = await response.json(); } catch (err) { data = null; }
    }
    if (!response.ok) {
      const e = (data && data.error) || {};
      throw new ApiError(response.status, e.code || 'http_' + response.status,
        e.message || response.statusText || '请求失败', data);
    }
    // withDate: also the server's clock (X-Server-Time, else Date; a 304 refreshes it) for "更新于" and skew
    const serverTime = response.headers.get('X-Server-Time') || response.headers.get('Date') || '';
    return withDate ? { data, date: Date.parse(serverTime) || Date.now() } : data;
  }

  const api = {
    request,
    get: (url, opts) => request('GET', url, opts),
    post: (url, json, opts) => request('POST', url, Object.assign({}, opts, { json })),
    upload: (url, formData, opts) => request('POST', url, Object.assign({}, opts, { form: formData })),
  };

  const ERROR_TEXT = {
    unauthorized: '登录已过期，请重新登录',
    csrf: '页面已过期，请刷新页面后重试',
    forbidden: '您无权执行此操作',
    not_found: '记录不存在或无权查看',
    validation_error: '填写的内容有误，请检查后重试',
    invalid_json: '请求格式有误',
    unknown_category: '未知的事件类别',
    unknown_department: '未知的处置部门',
    illegal_transition: '工单当前状态不允许此操作，请刷新后查看',
    version_conflict: '记录已被他人修改，请刷新后重试',
    extension_pending: '已有一条延期申请等待审批',
    no_extension_pending: '没有等待审批的延期申请',
    ticket_ended: '工单已结束，不能再上传照片',
    payload_too_large: '文件过大',
    unsupported_media_type: '照片格式不支持（仅 JPEG / PNG / WebP）',
    corrupt_photo: '照片已损坏或不完整（上传中断？），请重新发送',
    after_photo_required: '请先上传处置后照片',
    too_many_requests: '请求过于频繁，请稍后再试',
    internal: '服务器出错，请稍后再试',
  };
  /* Server messages (English) that deserve a more precise Chinese text than their code's. */
  const MESSAGE_TEXT = [
    [/self-resolved ticket is verified by another/i, '您自行处置的事件须由其他巡查员或城运中心核查'],
    [/inspectors act on their own reports/i, '巡查员只能处理本人上报或本片区的事件'],
    [/only the ticket's department/i, '只有工单所属部门可以执行此操作'],
    [/may not add photos/i, '您无权为此工单上传照片'],
    [/needs a `reason`/i, '请填写原因'],
    [/needs a `note`/i, '请填写说明'],
    [/needs `department`/i, '请选择处置部门'],
    [/needs exactly one of `hours`/i, '请填写延长的工作时或工作日'],
    [/^days: Input should be less than or equal to (\d+)/, (m) => `一次最多延期 ${m[1]} 个工作日`],
    [/^hours: Input should be less than or equal to (\d+)/, (m) => `一次最多延期 ${m[1]} 个工作时`],
    [/^(days|hours): Input should be greater than 0/, () => '延期时长须大于 0'],
  ];

  /** A message for the user, in Chinese: a known error code (or server message) becomes Chinese text;
   * an unknown one falls back to the server's own message. */
  function describeError(err) {
    if (err instanceof NetworkError) return '网络不可用，请检查网络后重试';
    if (err instanceof ApiError) {
      const hit = MESSAGE_TEXT.find(([pattern]) => pattern.test(err.message || ''));
      if (hit) return typeof hit[1] === 'function' ? hit[1]((err.message || '').match(hit[0])) : hit[1];
      const status = err.body && err.body.error && err.body.error.status;
      if (err.code === 'illegal_transition' && STATUS_LABELS[status]) {
        return '工单当前状态（' + STATUS_LABELS[status] + '）不允许此操作，请刷新后查看';
      }
      if (err.code === 'ticket_ended' && STATUS_LABELS[status]) {
        return '工单' + STATUS_LABELS[status] + '，不能再上传照片';
      }
      return ERROR_TEXT[err.code] || err.message || '请求失败';
    }
    return (err && err.message) || String(err);
  }

  /** el('li', {className, text, dataset, attrs, on}, ...children): children strings become text nodes. */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    const p = props || {};
    if (p.className) node.className = p.className;
    if (p.text !== undefined && p.text !== null) node.textContent = String(p.text);
    if (p.dataset) Object.entries(p.dataset).forEach(([k, v]) => { node.dataset[k] = String(v); });
    if (p.attrs) {
      Object.entries(p.attrs).forEach(([k, v]) => {
        if (/^on/i.test(k)) throw new Error('el(): use `on` for event handlers, not ' + k);
        if (v === false || v === null || v === undefined) return;
        node.setAttribute(k, v === true ? '' : String(v));
      });
    }
    if (p.on) Object.entries(p.on).forEach(([type, fn]) => node.addEventListener(type, fn));
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  /** The first n characters of text, with '…' when it was cut (for a table cell; the whole text goes in a title). */
  function clip(text, n) {
    const s = String(text || '');
    return s.length > n ? s.slice(0, n) + '…' : s;
  }

  let toastTimer = null;
  /** A short message at the top of the page (kind: info | ok | error). */
  function toast(message, kind, ms) {
    const box = document.getElementById('toast');
    if (!box) return;
    box.textContent = message;
    box.className = 'toast toast-' + (kind || 'info');
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { box.hidden = true; }, ms || 4000);
  }

  const dateTime = new Intl.DateTimeFormat('zh-CN', {
    timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    hour12: false,
  });
  const shortDateTime = new Intl.DateTimeFormat('zh-CN', {
    timeZone: TZ, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  });
  /** An ISO instant as Shanghai local time: "2026/11/25 14:30" (short: "11/25 14:30"). */
  function fmtTime(iso, short) {
    if (!iso) return '—';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return '—';
    return (short ? shortDateTime : dateTime).format(d);
  }

  const SEEN_APART_MS = 5 * 60 * 1000;
  const OFFLINE_AT_MOST_MS = 7 * 24 * 3600 * 1000; // a phone's outbox holds a report for days, not years

  /** 发现时间 when it tells something besides 上报时间 (null otherwise): a report made offline and sent
   * later, or a phone whose clock runs ahead (seen "after" the server received it). The deadlines count
   * from the server's receipt either way. */
  function seenNote(t) {
    if (!t.occurred_at) return null;
    const gap = new Date(t.created_at).getTime() - new Date(t.occurred_at).getTime();
    if (!Number.isFinite(gap) || Math.abs(gap) < SEEN_APART_MS) return null;
    if (gap < 0) return fmtTime(t.occurred_at) + '（晚于上报时间：上报手机的时钟可能不准）';
    if (gap > OFFLINE_AT_MOST_MS) return fmtTime(t.occurred_at) + '（早于上报时间过久：上报手机的时钟可能不准）';
    return fmtTime(t.occurred_at) + '（晚于发现时间送达，如离线上报）';
  }

  /** A random v4 UUID (crypto.randomUUID needs a secure context; getRandomValues does not). */
  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID();
    const b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  const STATUS_LABELS = {
    pending_dispatch: '待派遣', dispatched: '已派遣', in_progress: '处置中', resolved: '已处置待核查',
    closed: '已结案', cancelled: '已作废', suspended: '挂账', duplicate: '重复',
  };
  const ACTION_LABELS = {
    report: '上报', await_dispatch: '待城运中心派遣', dispatch: '派遣', accept: '签收', return: '退单',
    start: '开始处置', resolve: '处置完成', verify: '核查', request_extension: '申请延期',
    approve_extension: '批准延期', reject_extension: '驳回延期', suspend: '挂账', resume: '恢复',
    supervise: '督办', cancel: '作废', self_resolve: '自行处置', photo: '照片', link_duplicate: '重复合并',
    duplicate_reported: '重复上报', escalate: '超期升级',
  };
  const ROLE_LABELS = { inspector: '网格巡查员', department: '处置部门', command: '城运中心', admin: '系统管理员' };

  /* Photos in the timeline (留痕). The API records every upload as action "photo" with the note
   * 处置前照片 / 处置后照片 and data {photo, stage}. An "after" photo taken on a 核查 — by an inspector,
   * or by the command center while the ticket waits for its check — is shown as 核查照片. An inspector's
   * after photo on a ticket not yet resolved belongs to a 自行处置 and stays 处置后照片. */
  const SELF_RESOLVE_FROM = new Set(['pending_dispatch', 'dispatched']);
  function isVerifyPhoto(e) {
    if (!e || e.action !== 'photo' || !e.data || e.data.stage !== 'after') return false;
    if (e.actor_role === 'inspector') return !SELF_RESOLVE_FROM.has(e.from_status);
    return (e.actor_role === 'command' || e.actor_role === 'admin') && e.from_status === 'resolved';
  }
  /** The note to show for a timeline entry (核查照片 for a 核查 photo, else the entry's own note). */
  function timelineNote(e) {
    return isVerifyPhoto(e) ? '核查照片' : e.note;
  }
  /** The ids of a ticket's photos taken on a 核查 (from its timeline). */
  function verifyPhotoIds(timeline) {
    return new Set((timeline || []).filter(isVerifyPhoto).map((e) => e.data.photo));
  }

  /* The offline copy of /m/ (service worker caches yc-m-…, see m_sw.js) holds the signed-in user's page:
   * 退出 deletes it before the sign-out is posted, and so does every page shown to nobody signed in
   * (the sign-in page after 退出 or an expired session). Queued reports (IndexedDB) are kept. */
  function clearOfflineCopies() {
    if (!window.caches) return Promise.resolve();
    return caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('yc-m-')).map((n) => caches.delete(n))))
      .catch(() => {});
  }
  const logoutForms = document.querySelectorAll('form[action="/logout"]');
  logoutForms.forEach((form) => form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearOfflineCopies().then(() => form.submit()); // form.submit() fires no second submit event
  }));
  if (!logoutForms.length) clearOfflineCopies();

  window.YC = {
    api, ApiError, NetworkError, describeError, csrfToken, el, clear, clip, toast, fmtTime, seenNote, uuid,
    STATUS_LABELS, ACTION_LABELS, ROLE_LABELS, timelineNote, verifyPhotoIds, clearOfflineCopies,
  };
}());
