/* 部门工作台: 吹哨报到 (joint handling) — YC.deskJoint, shared by the desk's list (the 协办 queue) and its
 * ticket page (the participants, 吹哨 and 关闭协办 for the command center, 报到 and 协办完成 for an assisting
 * department). Loaded after desk.js. Every user-written text goes in through YC.el (text only).
 */
(function () {
  'use strict';

  const YC = window.YC;
  const { api, el, clear, toast, fmtTime, fmtDuration, busy } = YC;

  const STATE_CLASS = { pending: 'state-warning', checked_in: 'state-normal', done: 'state-done', closed: 'state-closed' };

  /** One deadline of a task in words: "剩余 1小时20分(工作时)", "已迟到 10分", "按时报到 11/25 10:30", "超期完成 …". */
  function taskDeadlineText(d, kind) {
    if (!d) return '—';
    const natural = /N[HM]$/i.test(d.limit || '');
    const unit = natural ? '(自然时)' : '(工作时)';
    if (d.met_at) {
      const how = kind === 'checkin' ? (d.late ? '迟到报到 ' : '按时报到 ') : (d.late ? '超期完成 ' : '按期完成 ');
      return how + fmtTime(d.met_at, true);
    }
    if (d.remaining_minutes == null) return d.late ? '已超期（关闭时）' : '—';
    if (d.remaining_minutes < 0) return (kind === 'checkin' ? '报到已迟到 ' : '已超期 ') + fmtDuration(-d.remaining_minutes) + unit;
    // time left as the ticket's deadlines show it (工作日 once a day or more)
    return YC.desk.deadlineCell({ deadlines: { left: { limit: d.limit, due_at: d.due_at,
      remaining_minutes: d.remaining_minutes } } }, 'left').textContent;
  }

  function deadlineSpan(d, kind) {
    const late = d && d.late;
    return el('span', { className: 'left' + (late ? ' overdue' : ''), dataset: { deadline: kind, late: late ? '1' : '0' },
      text: taskDeadlineText(d, kind) });
  }

  function stateChip(task) {
    return el('span', { className: 'chip state ' + (STATE_CLASS[task.state] || ''), dataset: { state: task.state },
      text: task.state_label });
  }

  function lateChips(task) {
    return [task.checkin.late ? el('span', { className: 'chip late', dataset: { testid: 'late-checkin' }, text: '报到迟到' }) : null,
      task.deadline.late ? el('span', { className: 'chip late', dataset: { testid: 'late-task' }, text: '协办超期' }) : null];
  }

  /** 协办完成: a note (required) and an optional photo of the part done. */
  function finishForm(ticketId, version, done) {
    const note = el('textarea', { attrs: { name: 'note', rows: 2, maxlength: 2000, required: true,
      placeholder: '完成情况（必填）：本部门做了什么' } });
    const photo = el('input', { attrs: { type: 'file', name: 'photo', accept: 'image/jpeg,image/png,image/webp' } });
    const err = el('p', { className: 'form-error', attrs: { role: 'alert' } });
    err.hidden = true;
    const go = el('button', { className: 'btn btn-primary', text: '确认完成', attrs: { type: 'submit' } });
    const form = el('form', { className: 'action-form', dataset: { form: 'finish_task' }, attrs: { novalidate: true } },
      el('label', { className: 'field' }, el('span', { text: '完成情况' }), note),
      el('div', { className: 'field' }, el('span', { text: '照片（可选）' }),
        el('label', { className: 'btn file-pick' }, '选择照片', photo)), err, go);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.hidden = true;
      if (!note.value.trim()) {
        err.textContent = '请填写完成情况';
        err.hidden = false;
        return;
      }
      await busy(go, async () => {
        const body = { action: 'finish_task', note: note.value.trim(), version };
        const file = photo.files && photo.files[0];
        if (file) {
          const upload = new FormData();
          upload.append('photo', file);
          upload.append('stage', 'after');
          const made = await api.upload('/api/v1/tickets/' + ticketId + '/photos', upload);
          body.photo_id = made.photo.id;
          body.version = made.ticket.version;
        }
        await api.post('/api/v1/tickets/' + ticketId + '/actions', body);
        toast('协办完成', 'ok');
        await done();
      }, (message) => { err.textContent = message; err.hidden = false; });
    });
    return form;
  }

  /** The 报到 / 完成 control of a department's own open task (the list's 协办 queue and the ticket page). */
  function taskControls(ticketId, version, task, done) {
    const box = el('div', { className: 'task-controls' });
    if (task.state === 'pending') {
      const btn = el('button', { className: 'btn btn-primary btn-small', text: '报到', attrs: { type: 'button' },
        dataset: { action: 'check_in', task: task.id } });
      btn.addEventListener('click', () => busy(btn, async () => {
        await api.post('/api/v1/tickets/' + ticketId + '/actions', { action: 'check_in', version });
        toast('报到成功', 'ok');
        await done();
      }));
      box.appendChild(btn);
    } else if (task.state === 'checked_in') {
      const form = finishForm(ticketId, version, done);
      form.hidden = true;
      const btn = el('button', { className: 'btn btn-primary btn-small', text: '完成', attrs: { type: 'button' },
        dataset: { action: 'finish_task', task: task.id } });
      btn.addEventListener('click', () => { form.hidden = !form.hidden; });
      box.append(btn, form);
    }
    return box;
  }

  /** 关闭协办 (command center): a reason, then the task no longer blocks the lead. */
  function closeControl(ticketId, version, task, done) {
    const reason = el('input', { attrs: { type: 'text', name: 'reason', maxlength: 2000, placeholder: '关闭原因（必填）' } });
    const go = el('button', { className: 'btn btn-small', text: '确认关闭', attrs: { type: 'submit' } });
    const form = el('form', { className: 'inline close-task', dataset: { form: 'close_task', task: task.id } }, reason, go);
    form.hidden = true;
    const btn = el('button', { className: 'btn btn-small', text: '关闭协办', attrs: { type: 'button' },
      dataset: { action: 'close_task', task: task.id } });
    btn.addEventListener('click', () => { form.hidden = !form.hidden; });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!reason.value.trim()) { toast('请填写关闭原因', 'error'); return; }
      await busy(go, async () => {
        await api.post('/api/v1/tickets/' + ticketId + '/actions',
          { action: 'close_task', task_id: task.id, reason: reason.value.trim(), version });
        toast('已关闭协办', 'ok');
        await done();
      });
    });
    return el('div', { className: 'task-controls' }, btn, form);
  }

  /** The ticket page's 联合处置 card: the lead and every assisting department with its state and deadlines. */
  function drawParticipants(node, data, reload) {
    const t = data.ticket;
    const tasks = t.assists || [];
    clear(node);
    node.hidden = !tasks.length;
    if (!tasks.length) return;
    node.appendChild(el('h2', { text: '吹哨报到 · 联合处置' }));
    const list = el('ul', { className: 'participants' });
    list.appendChild(el('li', { className: 'participant lead', dataset: { department: t.department || '' } },
      el('span', { className: 'who', text: t.department_name || '未派遣' }),
      el('span', { className: 'chip role-lead', text: '牵头' }),
      el('span', { className: 'chip status status-' + t.status, text: YC.labelOf('statuses', t.status) })));
    tasks.forEach((task) => {
      const mine = data.own_task === task.id;
      const open = task.state === 'pending' || task.state === 'checked_in';
      list.appendChild(el('li', { className: 'participant', dataset: { department: task.department, state: task.state } },
        el('span', { className: 'who', text: task.department_name }),
        el('span', { className: 'chip role-assist', text: '协办' }),
        stateChip(task), ...lateChips(task),
        el('p', { className: 'task', text: '任务：' + task.task }),
        el('div', { className: 'task-deadlines' },
          el('span', { className: 'k', text: '报到时限（' + YC.limitText(task.checkin.limit) + '）' }), deadlineSpan(task.checkin, 'checkin'),
          el('span', { className: 'k', text: '完成时限（' + YC.limitText(task.deadline.limit) + '）' }), deadlineSpan(task.deadline, 'task')),
        task.done_note ? el('p', { className: 'note', text: '完成情况：' + task.done_note }) : null,
        task.close_reason ? el('p', { className: 'note', text: '关闭原因：' + task.close_reason }) : null,
        mine ? taskControls(t.id, t.version, task, reload) : null,
        open && data.can_close_tasks ? closeControl(t.id, t.version, task, reload) : null));
    });
    node.appendChild(list);
  }

  /** 吹哨 form rows: the lead (when the ticket has none) and assisting departments, each with its task. */
  function whistleFields(data) {
    const t = data.ticket;
    const taken = new Set((t.assists || []).filter((a) => a.state === 'pending' || a.state === 'checked_in')
      .map((a) => a.department));
    const options = (skip) => data.departments.filter((d) => !skip.has(d.code))
      .map((d) => el('option', { text: d.name, attrs: { value: d.code } }));
    const lead = el('select', { attrs: { name: 'lead' } }, el('option', { text: '选择牵头部门', attrs: { value: '' } }),
      options(new Set()));
    if (t.department) {
      lead.value = t.department;
      lead.disabled = true;  // the ticket's department leads
    }
    const rows = el('div', { className: 'assist-rows' });
    function addRow() {
      const dept = el('select', { attrs: { name: 'assist' } }, el('option', { text: '选择协办部门', attrs: { value: '' } }),
        options(taken));
      const task = el('input', { attrs: { type: 'text', name: 'task', maxlength: 200, placeholder: '协办任务（一句话）' } });
      rows.appendChild(el('div', { className: 'assist-row inline' }, dept, task));
    }
    addRow();
    const more = el('button', { className: 'btn btn-small', text: '＋ 增加协办部门', attrs: { type: 'button' },
      dataset: { testid: 'add-assist' } });
    more.addEventListener('click', addRow);
    const nodes = [el('label', { className: 'field' }, el('span', { text: '牵头部门' }), lead),
      el('div', { className: 'field' }, el('span', { text: '协办部门及任务' }), rows, more),
      el('p', { className: 'muted small', text: '协办部门须在报到时限内报到，并在完成时限内完成任务；超时按升级规则逐级提醒。' })];
    function read() {
      if (!lead.value) throw new Error('请选择牵头部门');
      const assists = Array.from(rows.querySelectorAll('.assist-row')).map((row) => ({
        department: row.querySelector('select').value, task: row.querySelector('input').value.trim() }))
        .filter((a) => a.department || a.task);
      if (!assists.length) throw new Error('请至少选择一个协办部门');
      if (assists.some((a) => !a.department || !a.task)) throw new Error('请为每个协办部门选择部门并填写任务');
      return { action: 'whistle', department: lead.value, assists, version: t.version };
    }
    return { nodes, read };
  }

  YC.deskJoint = { drawParticipants, whistleFields, taskControls, deadlineSpan, stateChip, lateChips };
}());
