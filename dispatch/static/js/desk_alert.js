/* 部门工作台 /desk/: telling people of a new 待签收 ticket — YC.deskAlert.
 *
 * The list page (desk_list.js) hands every answer's 待签收 ids to `seen(ids)`. The ids of the first answer
 * are what was there when the page opened; any id after that is new: the tab's title gets the count of
 * new tickets not yet looked at ("(2) 新待签收 · 部门工作台"), the 待签收 tab a 新 badge, and a short
 * two-tone chime plays (WebAudio, made here: no file, nothing to fetch). Looking at the page (a click or a
 * key while it is visible, or coming back to the browser tab) clears the count.
 *
 * Browsers let a page make sound only after the user touched it: the AudioContext is made on the first
 * click or key press, so nothing is attempted before (no autoplay error). The 提示音 button mutes and
 * unmutes; the choice is kept in localStorage. body[data-chimes] counts the chimes played (for tests).
 */
(function () {
  'use strict';

  const MUTE_KEY = 'yc.desk.mute';
  const state = { known: null, view: '', unseen: new Set(), audio: null, title: document.title };

  function muted() {
    try { return localStorage.getItem(MUTE_KEY) === '1'; } catch (e) { return false; }
  }

  function setMuted(value) {
    try { localStorage.setItem(MUTE_KEY, value ? '1' : '0'); } catch (e) { /* private mode: this page only */ }
    drawButton();
  }

  /** The AudioContext, made (or resumed) within a user gesture; null where the browser has none. */
  function unlock() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    if (!state.audio) state.audio = new Ctx();
    if (state.audio.state === 'suspended') state.audio.resume().catch(() => {});
  }

  /** Two short tones (880 Hz, then 1320 Hz), quiet, with soft edges. */
  function chime() {
    const ctx = state.audio;
    if (muted() || !ctx || ctx.state !== 'running') return false;
    const start = ctx.currentTime + 0.02;
    [[880, 0], [1320, 0.18]].forEach(([freq, at]) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, start + at);
      gain.gain.exponentialRampToValueAtTime(0.2, start + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + at + 0.16);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start + at);
      osc.stop(start + at + 0.18);
    });
    document.body.dataset.chimes = String(Number(document.body.dataset.chimes || 0) + 1);
    return true;
  }

  function drawBadge() {
    const n = state.unseen.size;
    document.title = n ? '(' + n + ') 新待签收 · ' + state.title : state.title;
    document.body.dataset.unseen = String(n);
    const badge = document.getElementById('new-pending');
    if (badge) {
      badge.hidden = !n;
      badge.textContent = '新 ' + n;
    }
  }

  function drawButton() {
    const button = document.getElementById('sound-toggle');
    if (!button) return;
    const off = muted();
    button.textContent = off ? '提示音：关' : '提示音：开';
    button.setAttribute('aria-pressed', off ? 'false' : 'true');
    button.title = off ? '新的待签收工单到达时不响铃' : '新的待签收工单到达时响铃（首次需点击页面任意处启用）';
  }

  /** The 待签收 ids of an answer; the new ones raise the badge and chime. Returns the new ids. `view` names
   * what the answer was asked for (the desk's filters and department): a ticket that only comes into view
   * because the filters changed is not new, so a changed view starts the baseline again. */
  function seen(ids, view) {
    const now = new Set(ids);
    if (state.known === null || (view || '') !== state.view) {
      state.known = now;
      state.view = view || '';
      state.unseen.forEach((id) => { if (!now.has(id)) state.unseen.delete(id); });
      drawBadge();
      return [];
    }
    const fresh = ids.filter((id) => !state.known.has(id));
    state.known = now;
    state.unseen.forEach((id) => { if (!now.has(id)) state.unseen.delete(id); });  // signed for elsewhere
    fresh.forEach((id) => state.unseen.add(id));
    if (fresh.length) chime();
    drawBadge();
    return fresh;
  }

  /** The user looked: the count goes. */
  function looked() {
    if (!state.unseen.size || document.hidden) return;
    state.unseen.clear();
    drawBadge();
  }

  function start() {
    const button = document.getElementById('sound-toggle');
    if (button) {
      button.addEventListener('click', () => { unlock(); setMuted(!muted()); });
      drawButton();
    }
    ['pointerdown', 'keydown'].forEach((name) => document.addEventListener(name, () => { unlock(); looked(); }, true));
    document.addEventListener('visibilitychange', () => { if (!document.hidden) setTimeout(looked, 3000); });
  }

  window.YC.deskAlert = { seen, looked, chime, muted };
  document.addEventListener('DOMContentLoaded', start);
}());
