/* 照片查看: a tap on a photo's thumbnail opens it full size over the page, to zoom into (/m/ and the desk).
 *
 * YC.photoViewer.attach(root): every `a[data-photo]` inside root (now or later) opens its href — the stamped
 * served copy — in the viewer instead of a new tab. The viewer is a modal dialog: 放大 / 缩小 / 适合屏幕
 * buttons, two-finger pinch, Ctrl + wheel and a double tap zoom; a zoomed photo scrolls (one finger or the
 * arrow keys); + / - / 0 and Esc work from the keyboard; 关闭 gives the focus back to the thumbnail.
 * 原图 opens the same copy in a tab of its own.
 */
(function () {
  'use strict';

  const YC = window.YC = window.YC || {};
  const el = YC.el;
  const MIN = 1;
  const MAX = 6;
  let viewer = null;

  function build() {
    const img = el('img', { className: 'pv-img', attrs: { alt: '' } });
    const stage = el('div', { className: 'pv-stage', attrs: { tabindex: '0' } }, img);
    const level = el('span', { className: 'pv-level', attrs: { 'aria-live': 'polite' } });
    const button = (label, text, fn) => el('button', { className: 'pv-btn', text, attrs: { type: 'button', 'aria-label': label }, on: { click: fn } });
    const open = el('a', { className: 'pv-btn', text: '原图', attrs: { target: '_blank', rel: 'noopener' } });
    const close = button('关闭', '×', () => hide());
    const box = el('div', { className: 'pv', attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-label': '照片', hidden: true } },
      el('div', { className: 'pv-bar' },
        el('span', { className: 'pv-title' }),
        button('缩小', '−', () => zoomTo(v.scale / 1.5)),
        level,
        button('放大', '+', () => zoomTo(v.scale * 1.5)),
        button('适合屏幕', '适合', () => zoomTo(1)),
        open, close),
      stage);
    document.body.appendChild(box);
    const v = { box, stage, img, level, open, close, scale: 1, fit: 1, opener: null, pointers: new Map(), pinch: null };

    img.addEventListener('load', () => { measure(); zoomTo(1); });
    box.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') { e.preventDefault(); hide(); }
      else if (e.key === '+' || e.key === '=') { e.preventDefault(); zoomTo(v.scale * 1.5); }
      else if (e.key === '-') { e.preventDefault(); zoomTo(v.scale / 1.5); }
      else if (e.key === '0') { e.preventDefault(); zoomTo(1); }
      else if (e.key === 'Tab') trapFocus(e);
    });
    stage.addEventListener('wheel', (e) => {
      if (!e.ctrlKey) return; // plain wheel scrolls the zoomed photo
      e.preventDefault();
      zoomTo(v.scale * (e.deltaY < 0 ? 1.2 : 1 / 1.2), e);
    }, { passive: false });
    stage.addEventListener('dblclick', (e) => zoomTo(v.scale > 1 ? 1 : 2.5, e));
    stage.addEventListener('pointerdown', (e) => {
      v.pointers.set(e.pointerId, e);
      if (v.pointers.size === 2) {
        const [a, b] = [...v.pointers.values()];
        v.pinch = { distance: Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY), scale: v.scale };
      }
    });
    stage.addEventListener('pointermove', (e) => {
      if (!v.pointers.has(e.pointerId)) return;
      v.pointers.set(e.pointerId, e);
      if (v.pinch && v.pointers.size === 2) {
        const [a, b] = [...v.pointers.values()];
        const distance = Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY);
        zoomTo(v.pinch.scale * distance / v.pinch.distance, { clientX: (a.clientX + b.clientX) / 2, clientY: (a.clientY + b.clientY) / 2 });
      }
    });
    const lift = (e) => { v.pointers.delete(e.pointerId); if (v.pointers.size < 2) v.pinch = null; };
    ['pointerup', 'pointercancel', 'pointerleave'].forEach((type) => stage.addEventListener(type, lift));
    window.addEventListener('resize', () => { if (!box.hidden) { measure(); zoomTo(v.scale); } });
    return v;
  }

  /** The scale at which the photo fits the stage (never enlarged past its own pixels). */
  function measure() {
    const v = viewer;
    const w = v.img.naturalWidth || 1;
    const h = v.img.naturalHeight || 1;
    v.fit = Math.min(1, v.stage.clientWidth / w, v.stage.clientHeight / h);
  }

  /** Zoom to `scale` × the fitted size (MIN..MAX), keeping the point under `at` (a pointer) in place. */
  function zoomTo(scale, at) {
    const v = viewer;
    const next = Math.max(MIN, Math.min(MAX, scale));
    const rect = v.stage.getBoundingClientRect();
    const ox = at ? at.clientX - rect.left : v.stage.clientWidth / 2;
    const oy = at ? at.clientY - rect.top : v.stage.clientHeight / 2;
    const ratio = next / v.scale;
    const x = (v.stage.scrollLeft + ox) * ratio - ox;
    const y = (v.stage.scrollTop + oy) * ratio - oy;
    v.scale = next;
    v.img.style.width = Math.round(v.img.naturalWidth * v.fit * next) + 'px';
    v.img.style.height = Math.round(v.img.naturalHeight * v.fit * next) + 'px';
    v.box.dataset.zoomed = next > 1 ? '1' : '0';
    v.stage.scrollLeft = x;
    v.stage.scrollTop = y;
    v.level.textContent = Math.round(next * 100) + '%';
  }

  function trapFocus(e) {
    const items = [...viewer.box.querySelectorAll('button, a[href], [tabindex="0"]')];
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  }

  function show(link) {
    viewer = viewer || build();
    const v = viewer;
    const label = link.dataset.photo || '照片';
    v.opener = link;
    v.scale = 1;
    v.img.style.width = v.img.style.height = '';
    v.img.alt = label;
    v.box.querySelector('.pv-title').textContent = label;
    v.open.href = link.href;
    v.img.src = link.href;
    v.box.hidden = false;
    document.documentElement.classList.add('pv-open');
    v.close.focus();
  }

  function hide() {
    const v = viewer;
    v.box.hidden = true;
    v.img.removeAttribute('src');
    document.documentElement.classList.remove('pv-open');
    if (v.opener && document.contains(v.opener)) v.opener.focus();
  }

  /** Photos under `root` open in the viewer (links marked data-photo="处置前照片" …, added now or later). */
  function attach(root) {
    root.addEventListener('click', (e) => {
      const link = e.target.closest && e.target.closest('a[data-photo]');
      if (!link || !root.contains(link) || e.ctrlKey || e.metaKey || e.shiftKey) return; // a modified click: a tab
      e.preventDefault();
      show(link);
    });
  }

  YC.photoViewer = { attach, show, hide };
}());
