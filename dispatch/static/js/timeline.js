/* 宜川路街道网格化管理 — how a ticket's timeline (留痕) is shown: YC.timelineNote, YC.verifyPhotoIds.
 * Loaded by the pages that show a timeline (/m/, the desk's ticket page), after the shared scripts.
 *
 * Photos in the timeline. The API records every upload as action "photo" with the note
 * 处置前照片 / 处置后照片 and data {photo, stage}. An "after" photo taken on a 核查 — by an inspector,
 * or by the command center while the ticket waits for its check — is shown as 核查照片. An inspector's
 * after photo on a ticket not yet resolved belongs to a 自行处置 and stays 处置后照片.
 * This is display only: the API's timeline note is unchanged.
 */
(function () {
  'use strict';

  const YC = window.YC = window.YC || {};
  const SELF_RESOLVE_FROM = new Set(['pending_dispatch', 'dispatched']); // the statuses 自行处置 starts from

  function isVerifyPhoto(e) {
    if (!e || e.action !== 'photo' || !e.data || e.data.stage !== 'after') return false;
    if (e.actor_role === 'inspector') return !SELF_RESOLVE_FROM.has(e.from_status);
    return (e.actor_role === 'command' || e.actor_role === 'admin') && e.from_status === 'resolved';
  }

  const EXTENSION_STEPS = new Set(['request_extension', 'approve_extension', 'reject_extension']);

  /** The note to show for a timeline entry: 核查照片 for a 核查 photo; an extension step with its amount
   * ("延长 1 工作日：需物业配合"); a 改派 with both departments ("绿化市容所 → 城管执法中队：属城管"); else the
   * entry's own note. */
  function timelineNote(e) {
    if (isVerifyPhoto(e)) return '核查照片';
    if (e.action === 'reassign' && e.data && e.data.department_name) {  // 改派: from where to where, and why
      return (e.data.reassigned_from_name ? e.data.reassigned_from_name + ' → ' : '改派至 ') + e.data.department_name
        + (e.note ? '：' + e.note : '');
    }
    if (EXTENSION_STEPS.has(e.action) && e.data && e.data.amount) {
      return '延长 ' + YC.limitText(e.data.amount) + (e.note ? '：' + e.note : '');
    }
    return e.note;
  }

  /** What a timeline step did: its action's name, for a 核查 its outcome (核查（通过）/ 核查（不通过）), and a
   * 居委's report as 约请（居委上报）. */
  function timelineWhat(e) {
    const what = YC.labelOf('actions', e.action);
    if (e.action === 'verify' && e.data && typeof e.data.passed === 'boolean') return what + (e.data.passed ? '（通过）' : '（不通过）');
    if (e.action === 'report' && e.data && e.data.source === 'committee') return YC.labelOf('sources', 'committee') + '（居委上报）';
    return what;
  }

  /** Who took a step: 系统, or the person with the department's name for department staff, else the role:
   * 李师傅（绿化市容所）, 王巡查（网格巡查员）. */
  function timelineWho(e) {
    if (!e.actor || e.actor === 'system' || e.actor_role === 'system') return YC.labelOf('roles', 'system');
    const where = e.actor_department_name || (e.actor_role ? YC.labelOf('roles', e.actor_role) : '');
    return e.actor + (where ? '（' + where + '）' : '');
  }

  /** The ids of a ticket's photos taken on a 核查 (from its timeline). */
  function verifyPhotoIds(timeline) {
    return new Set((timeline || []).filter(isVerifyPhoto).map((e) => e.data.photo));
  }

  Object.assign(YC, { timelineNote, timelineWhat, timelineWho, verifyPhotoIds });
}());
