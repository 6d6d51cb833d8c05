/* 宜川路街道网格化管理 — 跟踪回访 (follow-up visits) on the pages: YC.followup.
 * Loaded by /m/ (the 回访 tab) and the desk's pages, after the shared scripts.
 *
 *   YC.followup.dueText(f)        "剩余 2个工作日3小时" / "已超期 1小时20分" / "已回访" for one 回访 of the API
 *   YC.followup.visitText(v)      "满意：居民表示已清理干净" / "未联系上" for a recorded visit
 *   YC.followup.form(f, onDone)   the record form: 联系上 / 未联系上, 满意 / 基本满意 / 不满意, note; it POSTs
 *                                 /api/v1/followups/<id>/visit and calls onDone(answer)
 * User-written text reaches the page through YC.el (textContent) only.
 */
(function () {
  'use strict';

  const YC = window.YC;
  const { api, el, fmtDuration, busy, labelOf } = YC;
  const RATINGS = ['satisfied', 'basically_satisfied', 'dissatisfied'];
  const WORKDAY = 480; // minutes of one 工作日 with the street's hours: for "N个工作日" only (display)

  function amount(minutes, natural) {
    const m = Math.abs(minutes);
    if (!natural && m >= WORKDAY) {
      const days = Math.floor(m / WORKDAY);
      const rest = Math.round(m - days * WORKDAY);
      return days + '个工作日' + (rest >= 60 ? Math.floor(rest / 60) + '小时' : '');
    }
    return fmtDuration(m);
  }

  function dueText(f) {
    if (f.done_at) return '已回访';
    if (f.remaining_minutes == null) return '—';
    const natural = /N[HM]$/i.test(f.limit || '');
    if (f.overdue) return '已超期 ' + amount(f.remaining_minutes, natural);
    return '剩余 ' + amount(f.remaining_minutes, natural);
  }

  function visitText(v) {
    if (!v) return '';
    const said = v.reached ? labelOf('followup_ratings', v.rating) : '未联系上';
    return said + (v.note ? '：' + v.note : '');
  }

  function form(f, onDone) {
    const error = el('p', { className: 'form-error', attrs: { role: 'alert', hidden: true } });
    const name = 'reached-' + f.id;
    const radio = (value, text, checked) => el('label', { className: 'choice' },
      el('input', { attrs: { type: 'radio', name, value, checked } }), text);
    const reachedBox = el('div', { className: 'choices', dataset: { testid: 'reached' } },
      radio('1', '联系上', true), radio('0', '未联系上', false));
    let rating = null;
    const ratingButtons = RATINGS.map((code) => el('button', {
      className: 'btn rating rating-' + code, text: labelOf('followup_ratings', code),
      attrs: { type: 'button', 'aria-pressed': 'false' }, dataset: { rating: code },
      on: { click: () => pick(code) } }));
    const ratingBox = el('div', { className: 'ratings' }, ratingButtons);
    const note = el('textarea', { attrs: { rows: '2', maxlength: '2000', placeholder: '回访情况（不满意时必填）' } });
    const send = el('button', { className: 'btn btn-primary', text: '提交回访', attrs: { type: 'submit' } });

    function pick(code) {
      rating = code;
      ratingButtons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.rating === code)));
      note.placeholder = code === 'dissatisfied' ? '不满意的原因（必填，将提交城运中心审批返工）' : '回访情况（可选）';
      error.hidden = true;
    }
    function reached() { return reachedBox.querySelector('input:checked').value === '1'; }
    reachedBox.addEventListener('change', () => { ratingBox.hidden = !reached(); error.hidden = true; });

    function fail(message) {
      error.textContent = message;
      error.hidden = false;
    }
    const box = el('form', { className: 'followup-form', dataset: { followup: f.id }, attrs: { novalidate: true } },
      reachedBox, ratingBox, note, error, el('div', { className: 'actions' }, send));
    box.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      error.hidden = true;
      const body = { reached: reached(), note: note.value.trim() || null };
      if (body.reached) {
        if (!rating) return fail('请选择满意度');
        if (rating === 'dissatisfied' && !body.note) return fail('不满意时请填写原因');
        body.rating = rating;
      }
      await busy(send, async () => onDone(await api.post('/api/v1/followups/' + f.id + '/visit', body)),
        (message) => fail('回访未保存：' + message));
      return null;
    });
    return box;
  }

  YC.followup = { dueText, visitText, form };
}());
