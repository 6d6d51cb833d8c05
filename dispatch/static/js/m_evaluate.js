/* /m/ for a 居委: YC.m.evaluate — 待评价 (the closed tickets of its 居民区 awaiting its evaluation, each with the
 * time left in the window) and the evaluation form (评价: 响应度 and 处置, each 满意 / 基本满意 / 不满意, an
 * optional note); `panel(ticket)` shows a ticket's evaluation (or the form) in the ticket detail.
 * An 不满意 处置 with a note goes to the command center as a 复核 request. All user text via textContent.
 */
(function () {
  'use strict';

  const { api, busy, el, clear, toast, fmtTime, labelOf } = window.YC;
  const M = window.YC.m;
  const { me, $ } = M;
  const GRADES = ['satisfied', 'basically_satisfied', 'dissatisfied'];

  /** The time left in the window, in words: working days while a day or more is left, else working hours. */
  function timeLeft(minutes) {
    if (minutes <= 0) return '已过评价期限';
    const day = me.workdayMinutes;
    if (minutes >= day) return `剩余 ${(minutes / day).toFixed(1)} 个工作日`;
    const hours = Math.floor(minutes / 60);
    return `剩余 ${hours ? hours + ' 工作时 ' : ''}${Math.round(minutes % 60)} 分钟`;
  }

  /** One question (响应度 or 处置) as three radio buttons. */
  function gradeChoice(name, title, ticketId) {
    const group = `${name}-${ticketId}`;
    return el('fieldset', { className: 'grade', dataset: { question: name } },
      el('legend', { text: title }),
      GRADES.map((g) => el('label', { className: 'grade-option grade-' + g },
        el('input', { attrs: { type: 'radio', name: group, value: g } }), ' ', labelOf('grades', g))));
  }

  /** The evaluation form of one ticket; `done()` runs after it was sent. */
  function form(ticketId, done) {
    const note = el('textarea', { attrs: { rows: '2', maxlength: '2000', placeholder: '说明（可选；处置不满意并填写说明，将提交城运中心复核）' } });
    const error = el('p', { className: 'form-error', attrs: { role: 'alert', hidden: true } });
    const send = el('button', { className: 'btn btn-primary', attrs: { type: 'submit' }, text: '提交评价' });
    const node = el('form', { className: 'evaluate-form', dataset: { ticket: ticketId } },
      gradeChoice('responsiveness', '响应度', ticketId), gradeChoice('handling', '处置', ticketId), note, error,
      el('div', { className: 'actions' }, send));
    node.addEventListener('submit', async (event) => {
      event.preventDefault();
      const picked = (name) => {
        const input = node.querySelector(`[data-question=${name}] input:checked`);
        return input ? input.value : null;
      };
      const body = { responsiveness: picked('responsiveness'), handling: picked('handling'), note: note.value.trim() || null };
      if (!body.responsiveness || !body.handling) {
        error.textContent = '请选择响应度和处置的评价';
        error.hidden = false;
        return;
      }
      error.hidden = true;
      await busy(send, async () => {
        const res = await api.post(`/api/v1/tickets/${ticketId}/evaluation`, body);
        toast(res.review ? '评价已提交，已申请城运中心复核' : '评价已提交', 'ok');
        await done();
      }, (message) => { error.textContent = message; error.hidden = false; });
    });
    return node;
  }

  let seq = 0;

  async function loadEvaluate() {
    const mine = ++seq;
    const res = await api.get('/api/v1/evaluations/pending');
    if (mine !== seq) return res;
    const badge = $('evaluate-count');
    badge.textContent = String(res.count);
    badge.hidden = res.count === 0;
    $('evaluate-scope').textContent = `${me.committeeName} · 待评价 ${res.count} 条（结案后 ${window.YC.limitText(res.window)} 内）`;
    const list = clear($('evaluate-list'));
    res.data.forEach((t) => {
      list.appendChild(el('li', { className: 'ticket evaluate-item', dataset: { id: t.id, number: t.number } },
        el('div', { className: 'row' }, el('strong', { className: 'number', text: t.number }),
          t.source === 'committee' ? el('span', { className: 'chip chip-invite', text: labelOf('sources', 'committee') }) : null,
          el('span', { className: 'chip status-closed', text: labelOf('statuses', 'closed') })),
        el('div', { className: 'row' }, el('span', { className: 'cat-name', text: t.category_name }),
          el('span', { className: 'dept', text: t.department_name || '—' })),
        el('p', { className: 'desc', text: t.description }),
        el('p', { className: 'meta window' + (t.remaining_minutes < me.workdayMinutes ? ' err' : ''),
          text: `结案 ${fmtTime(t.closed_at, true)} · 评价截止 ${fmtTime(t.window_ends_at, true)}（${timeLeft(t.remaining_minutes)}）` }),
        form(t.id, loadEvaluate),
        el('button', { className: 'btn-link', attrs: { type: 'button' }, text: '详情', on: { click: () => M.lists.openDetail(t) } })));
    });
    $('evaluate-empty').hidden = res.data.length > 0;
    return res;
  }

  /** The ticket detail's 居委评价 section: the evaluation, the form while it is awaited (a 居委), or 未评价. */
  async function panel(ticket, box) {
    let ev;
    try {
      ev = await api.get(`/api/v1/tickets/${ticket.id}/evaluation`);
    } catch (err) {
      return;
    }
    if (ev.state === 'not_due') return;
    const section = el('div', { className: 'evaluation', dataset: { testid: 'evaluation', state: ev.state } },
      el('h3', { text: '居委评价' }));
    if (ev.evaluation) {
      const e = ev.evaluation;
      section.appendChild(el('p', { className: 'note', text: `响应度${labelOf('grades', e.responsiveness)}，处置${labelOf('grades', e.handling)}`
        + (e.note ? `：${e.note}` : '') }));
      section.appendChild(el('p', { className: 'meta', text: `${e.committee_name || ''} ${e.evaluator} · ${fmtTime(e.at, true)}` }));
    } else if (ev.may_evaluate) {
      section.appendChild(el('p', { className: 'meta', text: `评价截止 ${fmtTime(ev.window_ends_at, true)}（${timeLeft(ev.remaining_minutes)}）` }));
      section.appendChild(form(ticket.id, () => M.lists.openDetail(ticket)));
    } else {
      section.appendChild(el('p', { className: 'meta', text: labelOf('evaluation_states', ev.state)
        + (ev.window_ends_at ? `（评价截止 ${fmtTime(ev.window_ends_at, true)}）` : '') }));
    }
    if (ev.review) {
      const r = ev.review;
      section.appendChild(el('p', { className: 'meta', dataset: { testid: 'review' },
        text: `${labelOf('review_statuses', r.status)}${r.decision_reason ? '：' + r.decision_reason : ''}` }));
    }
    box.appendChild(section);
  }

  M.evaluate = { loadEvaluate, panel };
}());
