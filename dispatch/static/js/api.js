/* 宜川路街道网格化管理 — the JSON API from the browser: requests, errors, their Chinese messages.
 *
 * window.YC.api.get(url) / .post(url, json, {headers}) / .upload(url, formData) / .request(method, url, opts)
 *   same-origin cookies, X-CSRF-Token from <meta name="csrf-token"> on unsafe methods,
 *   resolves to the parsed JSON body; rejects with YC.ApiError (status, code, message) for an
 *   HTTP error, or YC.NetworkError when the request never got an answer (offline).
 * window.YC.describeError(err) is the message for the user, in Chinese.
 * window.YC.uuid() a random v4 UUID (the Idempotency-Key of a report).
 * Needs labels.js (a status named in an error). dom.js says which shared script does what.
 */
(function () {
  'use strict';

  const YC = window.YC = window.YC || {};
  const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

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
    no_desk: '该部门没有工作台，不能承办工单，请派遣至处置部门或片区管理站',
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
      const statusName = status && YC.labels.statuses[status];
      if (err.code === 'illegal_transition' && statusName) {
        return '工单当前状态（' + statusName + '）不允许此操作，请刷新后查看';
      }
      if (err.code === 'ticket_ended' && statusName) {
        return '工单' + statusName + '，不能再上传照片';
      }
      return ERROR_TEXT[err.code] || err.message || '请求失败';
    }
    return (err && err.message) || String(err);
  }

  /** Run `work` (an async function: the requests behind a button) with `button` disabled, so a second click
   * cannot send it twice; when it fails, `onFail` gets the Chinese message (describeError) — by default it is
   * shown as a toast. The button is enabled again either way. */
  async function busy(button, work, onFail) {
    button.disabled = true;
    try {
      await work();
    } catch (err) {
      const message = describeError(err);
      if (onFail) onFail(message); else YC.toast(message, 'error');
    } finally {
      button.disabled = false;
    }
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

  Object.assign(YC, { api, ApiError, NetworkError, describeError, busy, csrfToken, uuid });
}());
