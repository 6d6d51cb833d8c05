/* /m/: the category's own questions (补充信息, e.g. 群租 → 居住户数) — YC.m.questions.
 * render(box, category) draws one field per attribute of GET /api/v1/categories; collect(box, category)
 * reads them back as the `attributes` of POST /api/v1/events ({answers} or {error} in Chinese); fill(box,
 * answers) puts answers back (a refused report). The server checks the same rules again.
 */
(function () {
  'use strict';

  const { el, clear } = window.YC;
  const M = window.YC.m;

  function inputFor(a) {
    const id = 'q-' + a.code;
    const common = { attrs: { id, name: a.code }, dataset: { question: a.code } };
    if (a.datatype === 'number') {
      const attrs = Object.assign({ type: 'number', inputmode: a.integer ? 'numeric' : 'decimal',
        step: a.integer ? '1' : 'any' }, common.attrs);
      if (a.minimum != null) attrs.min = String(a.minimum);
      if (a.maximum != null) attrs.max = String(a.maximum);
      return el('input', { attrs, dataset: common.dataset });
    }
    if (a.datatype === 'text') {
      return el('textarea', { attrs: Object.assign({ rows: '2', maxlength: '4000' }, common.attrs), dataset: common.dataset });
    }
    if (a.datatype === 'datetime') {
      return el('input', { attrs: Object.assign({ type: 'datetime-local' }, common.attrs), dataset: common.dataset });
    }
    if (a.datatype === 'singlevaluelist') {
      return el('select', common, el('option', { attrs: { value: '' }, text: '请选择' }),
        a.values.map((v) => el('option', { attrs: { value: v.key }, text: v.name })));
    }
    if (a.datatype === 'multivaluelist') {
      return el('div', { className: 'choices', attrs: { id }, dataset: common.dataset }, a.values.map((v) => el('label', {},
        el('input', { attrs: { type: 'checkbox', value: v.key } }), ' ' + v.name)));
    }
    return el('input', { attrs: Object.assign({ type: 'text', maxlength: '500' }, common.attrs), dataset: common.dataset });
  }

  function render(box, category) {
    clear(box);
    const questions = (category && category.attributes) || [];
    box.hidden = !questions.length;
    for (const a of questions) {
      box.appendChild(el('div', { className: 'question' },
        el('label', { attrs: { for: 'q-' + a.code } }, a.description, a.required ? el('span', { className: 'req', text: ' *' }) : null),
        inputFor(a),
        a.datatype_description ? el('p', { className: 'muted small', text: a.datatype_description }) : null));
    }
  }

  function readOne(box, a) {
    const field = box.querySelector(`[data-question="${CSS.escape(a.code)}"]`);
    if (!field) return null;
    if (a.datatype === 'multivaluelist') {
      const keys = Array.from(field.querySelectorAll('input:checked')).map((c) => c.value);
      return keys.length ? keys : null;
    }
    // A number field the browser cannot read ("10-20", "1e") has an empty value: refuse it, never drop it.
    if (a.datatype === 'number' && field.validity && field.validity.badInput) return NaN;
    const raw = field.value.trim();
    if (!raw) return null;
    if (a.datatype === 'number') return Number(raw);
    if (a.datatype === 'datetime') return new Date(raw).toISOString(); // datetime-local is the phone's local time
    return raw;
  }

  /** {answers} for POST /api/v1/events, or {error}: the first unanswered required or out-of-range question. */
  function collect(box, category) {
    const answers = {};
    for (const a of (category && category.attributes) || []) {
      const value = readOne(box, a);
      if (value === null) {
        if (a.required) return { error: `请填写“${a.description}”` };
        continue;
      }
      if (a.datatype === 'number') {
        if (!Number.isFinite(value)) return { error: `“${a.description}”须为数字` };
        if (a.integer && !Number.isInteger(value)) return { error: `“${a.description}”须为整数` };
        if (a.minimum != null && value < a.minimum) return { error: `“${a.description}”不能小于 ${a.minimum}` };
        if (a.maximum != null && value > a.maximum) return { error: `“${a.description}”不能大于 ${a.maximum}` };
      }
      answers[a.code] = value;
    }
    return { answers };
  }

  function fill(box, answers) {
    for (const [code, value] of Object.entries(answers || {})) {
      const field = box.querySelector(`[data-question="${CSS.escape(code)}"]`);
      if (!field) continue;
      if (Array.isArray(value)) {
        field.querySelectorAll('input[type=checkbox]').forEach((c) => { c.checked = value.includes(c.value); });
      } else if (field.type === 'datetime-local') {
        const d = new Date(value);
        field.value = new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
      } else {
        field.value = String(value);
      }
    }
  }

  M.questions = { render, collect, fill };
}());
