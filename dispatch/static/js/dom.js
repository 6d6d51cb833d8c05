/* 宜川路街道网格化管理 — building the page safely: YC.el, YC.clear, YC.clip, YC.toast.
 *
 * The shared scripts every page loads (base.html), in this order, each add their part to window.YC:
 *   dom.js      element building (this file)
 *   labels.js   YC.labels: the Chinese names of the API's codes, as the server rendered them into the page
 *   time.js     instants and durations in Shanghai time (YC.fmtTime, YC.fmtDuration, YC.seenNote …)
 *   api.js      the JSON API: YC.api, YC.ApiError, YC.NetworkError, YC.describeError, YC.busy, YC.uuid
 *   session.js  退出 deletes /m/'s offline copy (YC.clearOfflineCopies)
 * and some pages add timeline.js (留痕 display rules) and zonemap.js (the zone map).
 *
 * YC.el(tag, props, ...children) builds elements; text always goes in as text (textContent), never as
 * HTML — user-written text (descriptions, notes, names) must only reach the page this way.
 */
(function () {
  'use strict';

  const YC = window.YC = window.YC || {};

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

  Object.assign(YC, { el, clear, clip, toast });
}());
