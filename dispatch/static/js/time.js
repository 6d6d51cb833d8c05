/* 宜川路街道网格化管理 — instants and durations as the street reads them (Asia/Shanghai, whatever the
 * browser's own time zone): YC.fmtTime, YC.fmtClock, YC.fmtDuration, YC.fmtDue, YC.seenNote.
 * The API sends instants as ISO 8601 with an offset; deadlines' time left comes as minutes.
 */
(function () {
  'use strict';

  const YC = window.YC = window.YC || {};
  const TZ = 'Asia/Shanghai';

  const dateTime = new Intl.DateTimeFormat('zh-CN', {
    timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    hour12: false,
  });
  const shortDateTime = new Intl.DateTimeFormat('zh-CN', {
    timeZone: TZ, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  });
  const clock = new Intl.DateTimeFormat('zh-CN', {
    timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  });

  /** An ISO instant as Shanghai local time: "2026/11/25 14:30" (short: "11/25 14:30"). */
  function fmtTime(iso, short) {
    if (!iso) return '—';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return '—';
    return (short ? shortDateTime : dateTime).format(d);
  }

  /** A Date as the cockpit's clock: "2026/11/25周三 14:30:05". */
  function fmtClock(date) {
    return clock.format(date);
  }

  /** Whole minutes as "3小时20分" ("20分" under an hour); negative counts as 0. */
  function fmtDuration(minutes) {
    const total = Math.max(0, Math.round(minutes));
    const hours = Math.floor(total / 60);
    return (hours ? hours + '小时' : '') + (total % 60) + '分';
  }

  /** A deadline's instant, marked 预计 when it was counted over a year with no official holiday schedule
   * yet (the API's `provisional`): "11/25 14:30", "01/18 17:30（预计）". */
  function fmtDue(d, short) {
    if (!d || !d.due_at) return '—';
    return fmtTime(d.due_at, short) + (d.provisional ? '（预计）' : '');
  }

  const SEEN_APART_MS = 5 * 60 * 1000;
  const OFFLINE_AT_MOST_MS = 7 * 24 * 3600 * 1000; // a phone's outbox holds a report for days, not years

  /** 发现时间 when it tells something besides 上报时间 (null otherwise): a report made offline and sent
   * later, or a phone whose clock runs ahead (seen "after" the server received it). The deadlines count
   * from the server's receipt either way. */
  function seenNote(t) {
    if (!t.occurred_at) return null;
    const gap = new Date(t.created_at).getTime() - new Date(t.occurred_at).getTime();
    if (!Number.isFinite(gap) || Math.abs(gap) < SEEN_APART_MS) return null;
    if (gap < 0) return fmtTime(t.occurred_at) + '（晚于上报时间：上报手机的时钟可能不准）';
    if (gap > OFFLINE_AT_MOST_MS) return fmtTime(t.occurred_at) + '（早于上报时间过久：上报手机的时钟可能不准）';
    return fmtTime(t.occurred_at) + '（晚于发现时间送达，如离线上报）';
  }

  Object.assign(YC, { fmtTime, fmtClock, fmtDuration, fmtDue, seenNote });
}());
