/* The desk's 到岗 banner: while an active emergency's 预案 calls the signed-in department to report on duty and
 * it has not, a red banner says which emergency and by when, with the 到岗 button
 * (POST /api/v1/emergencies/<id>/checkin). Checked every 30 s; a department that reported sees it no more.
 */
(function () {
  'use strict';

  const YC = window.YC;
  const { api, el, clear, toast, fmtTime, describeError } = YC;
  const POLL_MS = 30000;

  async function show() {
    const box = document.getElementById('checkin-banner');
    if (!box || !box.dataset.department) return;
    let answer;
    try {
      answer = await api.get('/api/v1/emergencies?status=active');
    } catch (err) {
      return; // offline or signed out: the queues say so
    }
    const waiting = [];
    answer.data.forEach((e) => e.checkins.forEach((c) => {
      if (c.department === box.dataset.department && !c.checked_in_at) waiting.push([e, c]);
    }));
    clear(box);
    box.hidden = !waiting.length;
    document.body.dataset.checkins = String(waiting.length);
    waiting.forEach(([e, c]) => box.appendChild(el('div', { className: 'checkin-row' + (c.late ? ' late' : '') },
      el('span', { className: 'checkin-badge', text: '应急' }),
      el('span', { className: 'checkin-text', text: e.title + ' 应急响应中（' + e.zone_names.join('、') + '）：请'
        + c.department_name + (c.late ? '立即到岗，已超过时限 ' : '于 ') + fmtTime(c.due_at, true) + (c.late ? '' : ' 前到岗') }),
      el('button', { className: 'btn checkin-btn', text: '到岗', attrs: { type: 'button', 'data-testid': 'checkin-button' },
        on: { click: (ev) => checkIn(e, ev.target) } }))));
  }

  async function checkIn(emergency, button) {
    button.disabled = true;
    try {
      const done = await api.post('/api/v1/emergencies/' + emergency.id + '/checkin', {});
      toast('已到岗：' + emergency.title + (done.checkin.late ? '（迟到）' : ''), 'ok');
    } catch (err) {
      toast(describeError(err), 'error');
    }
    await show();
  }

  document.addEventListener('DOMContentLoaded', () => {
    show();
    setInterval(show, POLL_MS);
  });
}());
