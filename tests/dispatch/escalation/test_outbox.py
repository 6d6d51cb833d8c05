"""Outbox delivery: POST to the webhook, retry with capped exponential backoff, give up but keep, or log."""
from __future__ import annotations

import json
import logging
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dispatch.escalation import outbox
from dispatch.escalation.models import OutboxMessage

from .conftest import sh

REPORTED = sh(2026, 11, 25, 10, 0)
WARNED = sh(2026, 11, 25, 10, 48)  # the response warning: one message, to the department
URL = "https://hooks.example.test/notify"


@pytest.fixture
def database_url(both_backends_url):
    return both_backends_url


@pytest.fixture
def warning_message(report, sweep_at, rows):
    """The one outbox message of a ticket's response warning, queued at WARNED."""
    ticket = report(at=REPORTED)
    sweep_at(WARNED)
    (message,) = rows(OutboxMessage, ticket_id=ticket["id"])
    assert (message.recipient, message.next_attempt_at, message.sent_at) == ("sanitation", WARNED, None)
    return message


@pytest.fixture
def deliver(app):
    """deliver(now, post=..., webhook_url=URL) -> counts; one pass in its own app context."""
    from dispatch import db

    def run(now, *, post=None, webhook_url=URL):
        with app.app_context():
            return outbox.deliver_due(session=db.session(), config=app.extensions["street_config"], now=now,
                                      webhook_url=webhook_url, post=post)

    return run


class FakeWebhook:
    """A `post` callable that fails while `down` is set and records what it was given."""

    def __init__(self, down: bool = False):
        self.down = down
        self.calls: list[tuple[str, dict, float]] = []

    def __call__(self, url, payload, timeout):
        self.calls.append((url, payload, timeout))
        if self.down:
            raise ConnectionError("connection refused")


@pytest.mark.parametrize("attempts, seconds", [
    (1, 30),      # first retry after backoff_seconds
    (2, 60),      # then doubling
    (3, 120),
    (7, 1920),
    (8, 3600),    # 30 * 2**7 = 3840, capped at backoff_max_seconds
    (20, 3600),
])
def test_backoff_doubles_and_is_capped(config, attempts, seconds):
    assert outbox.backoff(attempts, config.escalation.delivery) == timedelta(seconds=seconds)


def test_sent_to_the_webhook(warning_message, deliver, rows):
    hook = FakeWebhook()
    assert deliver(WARNED, post=hook)["sent"] == 1
    ((url, payload, timeout),) = hook.calls
    assert (url, timeout) == (URL, 5)
    assert payload["message_id"] == warning_message.id
    assert (payload["number"], payload["deadline"], payload["level"], payload["recipient"]) == \
        (warning_message.payload["number"], "response", 0, "sanitation")
    (sent,) = rows(OutboxMessage)
    assert (sent.sent_at, sent.channel, sent.attempts, sent.next_attempt_at) == (WARNED, "webhook", 1, None)
    assert deliver(WARNED + timedelta(hours=1), post=hook) == {"sent": 0, "logged": 0, "failed": 0,
                                                                "gave_up": 0, "skipped": 0}
    assert len(hook.calls) == 1


def test_failures_back_off_then_a_later_success_sends(warning_message, deliver, rows):
    hook = FakeWebhook(down=True)
    now = WARNED
    for attempt, wait in [(1, 30), (2, 60), (3, 120)]:
        assert deliver(now, post=hook)["failed"] == 1
        (msg,) = rows(OutboxMessage)
        assert (msg.attempts, msg.next_attempt_at, msg.sent_at, msg.gave_up) == \
            (attempt, now + timedelta(seconds=wait), None, False)
        assert "ConnectionError: connection refused" in msg.last_error
        # not tried again before its time
        assert deliver(now + timedelta(seconds=wait - 1), post=hook)["failed"] == 0
        assert len(hook.calls) == attempt
        now += timedelta(seconds=wait)
    hook.down = False
    assert deliver(now, post=hook)["sent"] == 1
    (msg,) = rows(OutboxMessage)
    assert (msg.attempts, msg.sent_at, msg.next_attempt_at, msg.gave_up) == (4, now, None, False)


def test_gives_up_after_max_attempts_but_keeps_the_message(warning_message, deliver, rows, caplog):
    hook = FakeWebhook(down=True)
    now = WARNED
    for _ in range(7):
        assert deliver(now, post=hook)["failed"] == 1
        now = rows(OutboxMessage)[0].next_attempt_at
    assert deliver(now, post=hook)["gave_up"] == 1  # the 8th attempt (max_attempts = 8)
    (msg,) = rows(OutboxMessage)
    assert (msg.attempts, msg.gave_up, msg.sent_at) == (8, True, None)
    assert msg.last_error
    assert "giving up after 8 attempts" in caplog.text
    # kept, and not tried again
    assert deliver(now + timedelta(days=30), post=hook)["failed"] == 0
    assert len(hook.calls) == 8
    assert len(rows(OutboxMessage)) == 1


def test_without_a_webhook_messages_are_logged_and_marked_sent(warning_message, deliver, rows, caplog):
    caplog.set_level(logging.INFO, logger="dispatch.escalation.outbox")
    hook = FakeWebhook()
    assert deliver(WARNED, post=hook, webhook_url=None)["logged"] == 1  # config webhook_url is empty too
    assert hook.calls == []
    (msg,) = rows(OutboxMessage)
    assert (msg.sent_at, msg.channel) == (WARNED, "log")
    assert "notify sanitation" in caplog.text and warning_message.payload["number"] in caplog.text


def test_config_webhook_url_is_used_when_none_is_passed(app, config_dir, warning_message, rows):
    from dispatch import db
    from dispatch.street.config import load_config

    text = (config_dir / "escalation.toml").read_text(encoding="utf-8")
    (config_dir / "escalation.toml").write_text(text.replace('webhook_url = ""', f'webhook_url = "{URL}"'),
                                               encoding="utf-8")
    hook = FakeWebhook()
    with app.app_context():
        counts = outbox.deliver_due(session=db.session(), config=load_config(config_dir), now=WARNED, post=hook)
    assert counts["sent"] == 1 and hook.calls[0][0] == URL


def test_only_due_messages_are_picked(warning_message, deliver):
    hook = FakeWebhook()
    assert deliver(WARNED - timedelta(seconds=1), post=hook)["sent"] == 0
    assert hook.calls == []


class _Receiver(BaseHTTPRequestHandler):
    status = 204
    bodies: list = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers["Content-Length"])
        type(self).bodies.append((self.headers["Content-Type"], json.loads(self.rfile.read(length))))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Receiver.bodies = []
    _Receiver.status = 204
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Receiver
    server.shutdown()
    server.server_close()


def test_post_json_posts_utf8_json_and_raises_on_errors(receiver):
    url, handler = receiver
    outbox.post_json(url, {"note": "处置预警"}, 5)
    assert handler.bodies == [("application/json; charset=utf-8", {"note": "处置预警"})]
    handler.status = 500
    with pytest.raises(OSError):
        outbox.post_json(url, {"note": "x"}, 5)
