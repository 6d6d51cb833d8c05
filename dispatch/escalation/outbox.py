"""Delivery of the notification outbox: send each message through its channel, retry with backoff.

A message's channel is the street's webhook (POST of the JSON payload), mail, or a group-chat robot
(dispatch.escalation.channels); every channel fails, retries and gives up the same way.

A message is never lost and never deleted: a failed POST keeps it for a later attempt (exponential
backoff, capped), and after `max_attempts` it is marked `gave_up` and kept for a person to look at.
With no webhook configured, messages are written to the log and marked sent on channel "log".

Before a POST the message is claimed with a conditional UPDATE that moves its `next_attempt_at` a
lease ahead, so two delivery jobs (two schedulers by mistake) do not both send it; if a process dies
mid-POST, the lease runs out and the message is tried again (delivery is at least once: receivers
can de-duplicate on `message_id`).
"""
from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from dispatch.escalation import channels
from dispatch.escalation.models import OutboxMessage
from dispatch.street.config import StreetConfig
from dispatch.street.schemas import DeliveryConfig

log = logging.getLogger(__name__)

BATCH = 100
Post = Callable[[str, dict, float], None]


def post_json(url: str, payload: dict, timeout: float) -> None:
    """POST `payload` as JSON; raise on a network error or a non-2xx answer."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # raises HTTPError for 4xx/5xx
        if not 200 <= resp.status < 300:
            raise OSError(f"webhook answered HTTP {resp.status}")


def backoff(attempts: int, delivery: DeliveryConfig) -> timedelta:
    """The wait after the `attempts`-th failure: backoff_seconds * 2**(attempts-1), capped."""
    seconds = delivery.backoff_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, delivery.backoff_max_seconds))


def due_messages(*, session: Session, now: datetime, limit: int = BATCH) -> list[OutboxMessage]:
    """Unsent messages not given up whose next attempt is due (indexed on next_attempt_at)."""
    return list(session.exec(select(OutboxMessage).where(
        col(OutboxMessage.next_attempt_at) <= now, col(OutboxMessage.sent_at).is_(None),
        col(OutboxMessage.gave_up).is_(False)).order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)).all())


def deliver_due(*, session: Session, config: StreetConfig, now: datetime, webhook_url: str | None = None,
                post: Post | None = None, smtp_password: str | None = None) -> dict:
    """Deliver the messages due at `now`; counts of sent, logged, failed, gave_up and skipped."""
    now = now.astimezone(UTC)
    delivery = config.escalation.delivery
    url = webhook_url or delivery.webhook_url
    post = _through_channels(post or post_json, config=config, password=smtp_password, now=now)
    counts = {"sent": 0, "logged": 0, "failed": 0, "gave_up": 0, "skipped": 0}
    for message in due_messages(session=session, now=now):
        try:
            if not _claim(session, message, now=now, lease=_lease(delivery)):
                session.rollback()
                counts["skipped"] += 1  # another delivery job has it
                continue
            session.commit()
            counts[_deliver_one(session, message, url=url, post=post, delivery=delivery, now=now)] += 1
            session.commit()
        except Exception:
            session.rollback()
            log.exception("outbox message %s: delivery bookkeeping failed; it stays queued", message.id)
    if any(counts.values()):
        log.info("outbox at %s: %s", now.isoformat(), counts)
    return counts


def _through_channels(webhook: Post, *, config: StreetConfig, password: str | None, now: datetime):
    """send(message, url, timeout): the webhook POST for channel "webhook", else the mail or robot send."""
    delivery = config.escalation.delivery

    def send(message: OutboxMessage, url: str, timeout: float) -> None:
        if message.channel == "webhook":
            webhook(url, {**message.payload, "message_id": message.id}, timeout)
            return
        title, lines = channels.text_of(message.payload, config)
        if message.channel == "mail":
            addresses = delivery.mail.get(message.recipient)
            if delivery.smtp is None or not addresses:
                raise LookupError(f"no mail address for {message.recipient!r} in [delivery.mail]")
            channels.send_mail(delivery.smtp, password, channels.mail_message(
                delivery.smtp, addresses, title, lines, message_id=message.id), timeout=timeout)
            return
        robot = delivery.robot_named(message.channel)
        if robot is None:
            raise LookupError(f"no [[delivery.robot]] named {message.channel!r} (config changed?)")
        channels.post_robot(channels.robot_url(robot, now), channels.robot_body(robot, title, lines), timeout)

    return send


def _lease(delivery: DeliveryConfig) -> timedelta:
    """How long a claimed message is left alone: long enough for the POST to time out."""
    return timedelta(seconds=2 * delivery.timeout_seconds + 60)


def _claim(session: Session, message: OutboxMessage, *, now: datetime, lease: timedelta) -> bool:
    """Take the message for this job (conditional UPDATE on the next_attempt_at it was read with)."""
    stmt = (update(OutboxMessage)
            .where(OutboxMessage.id == message.id, OutboxMessage.next_attempt_at == message.next_attempt_at,
                   col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.gave_up).is_(False))
            .values(next_attempt_at=now + lease)
            .execution_options(synchronize_session=False))
    if session.execute(stmt).rowcount != 1:
        return False
    set_committed_value(message, "next_attempt_at", now + lease)
    return True


def _deliver_one(session: Session, message: OutboxMessage, *, url: str | None, post,
                 delivery: DeliveryConfig, now: datetime) -> str:
    """One attempt at one message; the name of the count it adds to."""
    message.attempts += 1
    if not url and message.channel == "webhook":
        log.info("notify %s (no webhook configured): %s", message.recipient,
                 json.dumps(message.payload, ensure_ascii=False))
        _mark(session, message, sent_at=now, channel="log", next_attempt_at=None, last_error=None)
        return "logged"
    try:
        post(message, url, delivery.timeout_seconds)
    except Exception as exc:  # any failure keeps the message for retry
        error = f"{type(exc).__name__}: {exc}"[:1000]
        if message.attempts >= delivery.max_attempts:
            log.error("outbox message %s to %s: giving up after %d attempts: %s", message.id, message.recipient,
                      message.attempts, error)
            _mark(session, message, gave_up=True, next_attempt_at=None, last_error=error)
            return "gave_up"
        retry_at = now + backoff(message.attempts, delivery)
        log.warning("outbox message %s to %s: attempt %d failed (%s); next at %s", message.id, message.recipient,
                    message.attempts, error, retry_at.isoformat())
        _mark(session, message, next_attempt_at=retry_at, last_error=error)
        return "failed"
    _mark(session, message, sent_at=now, next_attempt_at=None, last_error=None)
    return "sent"


def _mark(session: Session, message: OutboxMessage, **values) -> None:
    for key, value in values.items():
        setattr(message, key, value)
    session.add(message)
