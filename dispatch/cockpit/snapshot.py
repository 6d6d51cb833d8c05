"""The cockpit's feed as one shared snapshot per zone: computed by one process per interval, served to every screen.

Building the feed (dispatch.web.cockpit_service.feed: five evaluations over the last 30 days, the trend, the
lists and the map's points) costs seconds at a district's million tickets; a screen polls every few seconds and
several screens and workers ask at once. So the feed of each zone (the whole street under the key "") is kept in
the table ``cockpit_snapshots`` with

- ``version``: the body's own version (a hash of what is drawn), which is the feed's ETag: a poll whose
  If-None-Match names it is answered 304 from this row's head alone, before any figure is built;
- ``computed_at`` and ``watermark``: the instant and the state of the database (``watermark``: the newest id of
  the tickets and of every append-only record table, and the street config's digest) it was computed at;
- ``claimed_at``: the worker computing the next one. A snapshot older than the interval (``COCKPIT_SNAPSHOT_SECONDS``,
  default 10 s) is recomputed by the first worker that claims it (an UPDATE that only one wins); the others go on
  serving the last one meanwhile. A claim older than ``CLAIM_LEASE`` is taken over (its worker died).

Staleness bound: what a screen shows is at most one interval old (plus the time one recompute takes), for the
figures that change with writes and for those that change with time alone (overdue now, today, the 30-day window)
alike: every figure of a snapshot is computed at its ``computed_at``. A config whose digest differs from the one
a snapshot was computed with makes it stale at once. Nothing here reads the clock: ``now`` is passed in.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from dispatch.cockpit.models import WHOLE_STREET, CockpitSnapshot
from dispatch.street.config import StreetConfig
from dispatch.tickets import record

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 10.0  # seconds: COCKPIT_SNAPSHOT_SECONDS
CLAIM_LEASE = timedelta(minutes=2)  # a recompute claimed longer ago than this is taken over
# tables whose newest id moves with every change the cockpit draws: the tickets, their timeline (every transition
# writes it) and the other record tables, and the requests and tasks that live beside a ticket
WATERMARK_TABLES = ("tickets", *record.APPEND_ONLY_TABLES, "review_requests", "extension_requests",
                    "reopen_requests", "assist_tasks", "followups", "emergencies", "emergency_checkins")

_table = CockpitSnapshot.__table__


@dataclass(frozen=True)
class Head:
    """A snapshot without its body: enough to answer a conditional poll."""

    zone: str
    version: str
    watermark: str
    computed_at: datetime

    def age(self, now: datetime) -> timedelta:
        return now - self.computed_at


def key(zone: str | None) -> str:
    """The snapshot's key of a zone filter (the whole street: "")."""
    return zone or WHOLE_STREET


_digest_of: list = [None, ""]  # the last config object and its digest (a reload makes a new object)


def config_version(config: StreetConfig) -> str:
    """The digest of the config folder the running config was read from (computed once per loaded config)."""
    if _digest_of[0] is not config:
        from dispatch.street.service import config_digest

        try:
            digest = config_digest(config.directory)[:12]
        except OSError:  # a config built in memory (tests) or a folder gone: its identity in this process
            digest = f"mem{id(config):x}"
        _digest_of[:] = [config, digest]
    return _digest_of[1]


def watermark(*, session: Session, config: StreetConfig) -> str:
    """The state the cockpit draws from, cheaply: the newest id of each WATERMARK_TABLES table (one index probe
    each, in one statement) and the config's digest. Equal watermarks: no write in between."""
    probes = [sa.select(sa.func.max(sa.column("id"))).select_from(sa.table(name)).scalar_subquery()
              for name in WATERMARK_TABLES]
    ids = session.execute(sa.select(*probes)).one()
    return ".".join(str(i or 0) for i in ids) + "|" + config_version(config)


def head(*, session: Session, zone: str | None) -> Head | None:
    """The zone's snapshot without its body, or None before the first one."""
    row = session.execute(sa.select(_table.c.zone, _table.c.version, _table.c.watermark, _table.c.computed_at)
                          .where(_table.c.zone == key(zone))).first()
    return None if row is None else Head(*row)


def body(*, session: Session, zone: str | None) -> dict | None:
    """The zone's snapshot body (the feed as computed at its computed_at)."""
    return session.execute(sa.select(_table.c.body).where(_table.c.zone == key(zone))).scalar()


def is_fresh(snapshot: Head | None, *, config: StreetConfig, now: datetime, interval: float) -> bool:
    """Computed less than `interval` seconds before `now` (not after it: a clock set back) with the running config."""
    if snapshot is None:
        return False
    age = snapshot.age(now).total_seconds()
    return 0 <= age < interval and snapshot.watermark.endswith("|" + config_version(config))


def _claim(session: Session, zone: str, now: datetime) -> bool:
    """Take the right to recompute the zone's snapshot (one worker wins); committed at once so others see it."""
    lease_over = now - CLAIM_LEASE
    won = session.execute(
        sa.update(_table).where(_table.c.zone == zone, sa.or_(_table.c.claimed_at.is_(None),
                                                              _table.c.claimed_at <= lease_over,
                                                              _table.c.claimed_at > now))
        .values(claimed_at=now)).rowcount == 1
    session.commit()
    return won


def _store(session: Session, zone: str, *, body: dict, stats: dict | None, mark: str, now: datetime,
           first: bool) -> bool:
    values = {"version": body["version"], "watermark": mark, "computed_at": now, "claimed_at": None, "body": body,
              "stats": stats}
    if first:
        try:
            session.execute(sa.insert(_table).values(zone=zone, **values))
            session.commit()
            return True
        except IntegrityError:  # another worker stored the first one meanwhile: theirs stands
            session.rollback()
            return False
    session.execute(sa.update(_table).where(_table.c.zone == zone).values(**values))
    session.commit()
    return True


def recompute(*, session: Session, config: StreetConfig, now: datetime, zone: str | None,
              build: Callable[[], tuple[dict, dict | None]]) -> tuple[Head, dict] | None:
    """Claim the zone's snapshot, build the feed and its evaluation (`build()`, at `now`) and store them; None when
    another worker holds the claim (serve the last one). The first snapshot of a zone is built by whoever asks first."""
    zone_key = key(zone)
    existing = head(session=session, zone=zone)
    if existing is not None and not _claim(session, zone_key, now):
        return None
    mark = watermark(session=session, config=config)  # before building: a write during the build shows next time
    try:
        built, stats = build()
    except Exception:
        if existing is not None:  # give the claim back, so the next poll tries again
            session.rollback()
            session.execute(sa.update(_table).where(_table.c.zone == zone_key).values(claimed_at=None))
            session.commit()
        raise
    session.rollback()  # end the build's read transaction before writing (SQLite: no lock upgrade)
    _store(session, zone_key, body=built, stats=stats, mark=mark, now=now, first=existing is None)
    log.debug("cockpit snapshot %r recomputed at %s (%s)", zone_key, now.isoformat(), built["version"])
    return Head(zone_key, built["version"], mark, now), built


def current(*, session: Session, config: StreetConfig, now: datetime, zone: str | None, interval: float,
            build: Callable[[], tuple[dict, dict | None]]) -> tuple[Head, dict | None]:
    """The snapshot to serve for `zone` at `now`: the stored one while fresh (its body not loaded: None, see `body`),
    else a new one this worker computed (with its body), else — another worker is computing — the last one."""
    found = head(session=session, zone=zone)
    if is_fresh(found, config=config, now=now, interval=interval):
        return found, None
    made = recompute(session=session, config=config, now=now, zone=zone, build=build)
    if made is not None:
        return made
    return found, None


def current_stats(*, session: Session, config: StreetConfig, now: datetime, zone: str | None,
                  interval: float) -> dict | None:
    """The zone's evaluation as the current snapshot holds it — GET /api/v1/stats with its default parameters — or
    None when there is none to trust: no snapshot, one older than `interval`, or a write since (the watermark moved).
    So the API and the cockpit give the same figures, and the API is never behind a write."""
    found = head(session=session, zone=zone)
    if not is_fresh(found, config=config, now=now, interval=interval):
        return None
    if found.watermark != watermark(session=session, config=config):
        return None
    return session.execute(sa.select(_table.c.stats).where(_table.c.zone == found.zone)).scalar()


def invalidate(*, session: Session) -> int:
    """Forget every snapshot (the next poll recomputes); how many there were."""
    count = session.execute(sa.delete(_table)).rowcount
    session.commit()
    return count
