"""The outbox's mail (SMTP) and group-chat robot (企业微信 / 钉钉) channels, against local fake servers.

A tiny SMTP server (socketserver; STARTTLS with a certificate made for the test, AUTH PLAIN) and a tiny HTTP
server stand in for the street's mail server and the robots' webhooks: no network. Each channel's message is
its own outbox row, delivered, retried and given up like the webhook's.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import shutil
import socketserver
import ssl
import subprocess
import threading
from datetime import timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from dispatch import db
from dispatch.escalation import outbox
from dispatch.escalation.models import OutboxMessage
from dispatch.street.config import ConfigError, load_config

from .conftest import sh

REPORTED = sh(2026, 11, 25, 10, 0)
PASSWORD = "s3cret-from-env"
SECRET = "SEC0123456789abcdef"


# --- the fake servers ------------------------------------------------------------------------------


class FakeSmtp(socketserver.ThreadingTCPServer):
    """Just enough ESMTP for smtplib: EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, QUIT; keeps each mail."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, tls: ssl.SSLContext | None):
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.tls, self.mails, self.logins, self.tls_used = tls, [], [], []


class _SmtpHandler(socketserver.StreamRequestHandler):
    def say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        server, secure, envelope = self.server, False, {"to": []}
        self.say("220 fake.test ESMTP")
        while line := self.rfile.readline():
            verb, _, rest = line.decode().strip().partition(" ")
            verb = verb.upper()
            if verb in ("EHLO", "HELO"):
                extensions = ["AUTH PLAIN"] + (["STARTTLS"] if server.tls and not secure else [])
                self.say("250-fake.test")
                for ext in extensions[:-1]:
                    self.say("250-" + ext)
                self.say("250 " + extensions[-1])
            elif verb == "STARTTLS":
                self.say("220 ready")
                self.connection = server.tls.wrap_socket(self.connection, server_side=True)
                self.rfile, self.wfile = self.connection.makefile("rb"), self.connection.makefile("wb")
                secure = True
            elif verb == "AUTH":
                _, _, blob = rest.partition(" ")
                server.logins.append((base64.b64decode(blob).split(b"\0")[1:], secure))
                self.say("235 ok")
            elif verb == "MAIL":
                envelope["from"] = rest
                self.say("250 ok")
            elif verb == "RCPT":
                envelope["to"].append(rest)
                self.say("250 ok")
            elif verb == "DATA":
                self.say("354 go on")
                data = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data += chunk
                server.mails.append((envelope, message_from_bytes(data, policy=policy.default)))
                server.tls_used.append(secure)
                envelope = {"to": []}
                self.say("250 queued")
            elif verb == "QUIT":
                self.say("221 bye")
                return
            else:
                self.say("250 ok")


class FakeRobots(ThreadingHTTPServer):
    """Answers every POST with `answer` (JSON) and keeps (path, query, body) of each."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _RobotHandler)
        self.answer, self.posts = {"errcode": 0, "errmsg": "ok"}, []


class _RobotHandler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 — the name http.server calls
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        parts = urlsplit(self.path)
        self.server.posts.append((parts.path, parse_qs(parts.query), body))
        data = json.dumps(self.server.answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def _serve(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for localhost (the test's own CA), made with openssl."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make the fake mail server's certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


@pytest.fixture
def smtp_server(certificate):
    cert, key = certificate
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    server = _serve(FakeSmtp(tls))
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def robots():
    server = _serve(FakeRobots())
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def config_dir(config_dir, smtp_server, robots, certificate):
    """The shipped config with a mail server, mail for 绿化市容所, 房管办, 香溢 station and the command center's
    supervisor, and two robots (one for 绿化市容所 and 房管办, one for the command center's 超期 only), all local."""
    base = f"http://127.0.0.1:{robots.server_address[1]}"
    with open(config_dir / "escalation.toml", "a", encoding="utf-8") as f:
        f.write(f'''
[delivery.smtp]
host = "localhost"
port = {smtp_server.server_address[1]}
starttls = true
user = "dispatch"
from = "网格化管理 <wgh@example.test>"
cafile = "{certificate[0]}"

[delivery.mail]
sanitation = ["hr@example.test", "duty@example.test"]
housing = ["fgb@example.test"]
station_xiangyi = ["xy-station@example.test"]
command_supervisor = ["zhihui@example.test"]

[[delivery.robot]]
name = "ops_wecom"
format = "wecom"
url = "{base}/cgi-bin/webhook/send?key=abc"
recipients = ["sanitation", "housing"]

[[delivery.robot]]
name = "leaders_ding"
format = "dingtalk"
msgtype = "markdown"
url = "{base}/robot/send?access_token=xyz"
secret = "{SECRET}"
recipients = ["command_center"]
kinds = ["escalation"]
''')
    return config_dir


@pytest.fixture
def deliver(app):
    def run(now):
        with app.app_context():
            return outbox.deliver_due(session=db.session(), config=app.extensions["street_config"], now=now,
                                      smtp_password=PASSWORD)
    return run


def messages(app, ticket_id):
    with app.app_context():
        return list(db.session().exec(select(OutboxMessage).where(OutboxMessage.ticket_id == ticket_id)
                                      .order_by(OutboxMessage.id)).all())


def urge(client, command, ticket_id, note="请尽快签收"):
    response = client.post(f"/api/v1/tickets/{ticket_id}/actions", json={"action": "urge", "note": note},
                           headers=command)
    assert response.status_code == 200, response.get_json()


# --- the tests ------------------------------------------------------------------------------------


def test_an_urge_goes_by_webhook_mail_and_the_departments_robot(app, client, command, report, deliver,
                                                                 smtp_server, robots):
    ticket = report(at=REPORTED)
    urge(client, command, ticket["id"])
    assert [(m.recipient, m.channel) for m in messages(app, ticket["id"])] == [
        ("sanitation", "webhook"), ("sanitation", "mail"), ("sanitation", "ops_wecom")]
    counts = deliver(REPORTED)
    assert (counts["sent"], counts["logged"], counts["failed"]) == (2, 1, 0)  # no webhook URL: logged

    (envelope, mail), = smtp_server.mails
    assert smtp_server.tls_used == [True] and smtp_server.logins == [([b"dispatch", PASSWORD.encode()], True)]
    assert envelope["to"] == ["TO:<hr@example.test>", "TO:<duty@example.test>"]
    assert mail["Subject"] == f"【催办】{ticket['number']}"
    text = mail.get_content()
    assert "类别：暴露垃圾" in text and "处置部门：绿化市容所" in text and "说明：请尽快签收" in text
    assert f"/desk/tickets/{ticket['id']}" in text

    (path, query, body), = robots.posts
    assert (path, query) == ("/cgi-bin/webhook/send", {"key": ["abc"]})
    assert body["msgtype"] == "markdown" and set(body) == {"msgtype", "markdown"}
    assert body["markdown"]["content"].startswith(f"### 【催办】{ticket['number']}")
    assert all(m.sent_at is not None for m in messages(app, ticket["id"]))


def test_an_escalation_reaches_the_signed_dingtalk_robot(app, client, report, sweep_at, deliver, robots):
    ticket = report(at=REPORTED)
    overdue = sh(2026, 11, 25, 11, 1)  # past the 1 WH 签收 deadline: 超期 tells the command center, among others
    sweep_at(overdue)
    dings = [m for m in messages(app, ticket["id"]) if m.channel == "leaders_ding"]
    assert [m.recipient for m in dings] == ["command_center"]
    deliver(overdue)
    (path, query, body), = [p for p in robots.posts if p[0] == "/robot/send"]
    timestamp = query["timestamp"][0]
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest())
    assert query["access_token"] == ["xyz"] and query["sign"] == [expected.decode()]  # parse_qs undoes the URL-encoding
    assert int(timestamp) == int(overdue.timestamp() * 1000)
    assert body["msgtype"] == "markdown" and body["markdown"]["title"].startswith("【超期】" + ticket["number"])
    assert "签收时限" in body["markdown"]["title"]


def test_an_urge_is_not_a_kind_the_leaders_robot_carries(app, client, command, report):
    ticket = report(at=REPORTED)
    urge(client, command, ticket["id"])
    assert "leaders_ding" not in [m.channel for m in messages(app, ticket["id"])]


def test_a_robot_answering_an_errcode_is_retried_then_sent(app, client, command, report, deliver, robots):
    ticket = report(at=REPORTED)
    urge(client, command, ticket["id"])
    robots.answer = {"errcode": 45009, "errmsg": "api freq out of limit"}
    assert deliver(REPORTED)["failed"] == 1
    (robot,) = [m for m in messages(app, ticket["id"]) if m.channel == "ops_wecom"]
    assert robot.sent_at is None and robot.attempts == 1 and "45009" in robot.last_error
    assert robot.next_attempt_at == REPORTED + timedelta(seconds=30)  # the outbox's backoff, as for the webhook
    robots.answer = {"errcode": 0, "errmsg": "ok"}
    assert deliver(REPORTED + timedelta(seconds=30))["sent"] == 1
    assert [m for m in messages(app, ticket["id"]) if m.channel == "ops_wecom"][0].sent_at is not None


def test_mail_is_retried_while_the_server_is_down(app, client, command, report, deliver, smtp_server):
    ticket = report(at=REPORTED)
    urge(client, command, ticket["id"])
    smtp_server.shutdown()
    smtp_server.server_close()  # connection refused from now on
    assert deliver(REPORTED)["failed"] == 1
    (mail,) = [m for m in messages(app, ticket["id"]) if m.channel == "mail"]
    assert mail.sent_at is None and mail.attempts == 1 and mail.next_attempt_at > REPORTED


def test_no_login_in_clear_when_the_server_offers_no_starttls(app, client, command, report, deliver, smtp_server):
    smtp_server.tls = None  # a server (or a man in the middle) that strips STARTTLS
    ticket = report(at=REPORTED)
    urge(client, command, ticket["id"])
    assert deliver(REPORTED)["failed"] == 1
    assert smtp_server.logins == [] and smtp_server.mails == []


def test_an_assist_tasks_lateness_goes_by_mail_and_robot_in_words(app, joint_case, assist_sweep_at, deliver,
                                                                    smtp_server, robots):
    warned = sh(2026, 11, 25, 11, 36)  # 房管办 has not checked in: its 报到 warning (80 % of 2 WH)
    assist_sweep_at(warned)
    assert [(m.recipient, m.channel) for m in messages(app, joint_case)] == [
        ("housing", "webhook"), ("housing", "mail"), ("housing", "ops_wecom")]
    number = messages(app, joint_case)[0].payload["number"]
    assert deliver(warned)["failed"] == 0
    (_, mail), = smtp_server.mails
    assert mail["Subject"] == f"【协办预警】{number} 房管办报到时限"
    text = mail.get_content()
    assert "协办部门：房管办" in text and "时限：2026-11-25 12:00" in text and "说明：房管办报到预警" in text
    assert f"/desk/tickets/{joint_case}" in text
    (_, _, body), = robots.posts
    assert body["markdown"]["content"].startswith(f"### 【协办预警】{number} 房管办报到时限")
    # 超期 tells the command center too, but its robot carries only the tickets' own 超期升级
    assist_sweep_at(sh(2026, 11, 25, 12, 0))
    late = [m for m in messages(app, joint_case) if m.payload["level"] == 1]
    assert late and "leaders_ding" not in {m.channel for m in late}
    assert ("station_xiangyi", "mail") in {(m.recipient, m.channel) for m in late}


def test_an_overdue_followup_visit_is_mailed_to_the_station(app, street, deliver, smtp_server):
    from dispatch.followup import scheduled as followup_jobs
    from tests.dispatch.followup.helpers import closed_ticket

    ticket = closed_ticket(street, app, source="open311")  # closed Wed 10:00: 回访 due Mon 11-30 10:00
    warned = sh(2026, 11, 27, 14, 13)
    assert [r["level"] for r in followup_jobs.sweep_once(app, now=warned)] == [0]
    mailed = [m for m in messages(app, ticket["id"]) if m.channel == "mail"]
    assert [(m.recipient, m.payload["kind"]) for m in mailed] == [("station_xiangyi", "followup")]
    deliver(warned)
    (envelope, mail), = smtp_server.mails
    assert envelope["to"] == ["TO:<xy-station@example.test>"]
    assert mail["Subject"] == f"【回访预警】{ticket['number']}"
    text = mail.get_content()
    assert "类别：暴露垃圾" in text and "回访时限：2026-11-30 10:00" in text and "说明：回访预警" in text


def test_an_emergency_is_announced_by_mail_with_the_zones_and_the_check_in_limit(app, client, command, deliver,
                                                                               smtp_server):
    declared = client.post("/api/v1/emergencies", headers=command, json={
        "plan": "flood", "level": 3, "zones": ["xiangyi"], "note": "台风过境，启动防汛三级响应"})
    assert declared.status_code == 201, declared.get_json()
    with app.app_context():
        told = list(db.session().exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())
    assert {(m.recipient, m.channel) for m in told if m.channel != "webhook"} == {
        ("station_xiangyi", "mail"), ("command_supervisor", "mail")}  # neither robot carries 应急指挥 for them
    assert {m.payload["kind"] for m in told} == {"emergency"}
    now = told[0].created_at
    deliver(now)
    mails = {envelope["to"][0]: mail for envelope, mail in smtp_server.mails}
    station, supervisor = mails["TO:<xy-station@example.test>"], mails["TO:<zhihui@example.test>"]
    assert station["Subject"] == supervisor["Subject"] == "【应急指挥】防汛防台 Ⅲ级 启动应急"
    text = station.get_content()
    assert "范围：香溢片区" in text and "到岗时限：" in text and "说明：台风过境，启动防汛三级响应" in text
    assert text.rstrip().endswith("/desk/")  # a department checks in on its desk
    assert supervisor.get_content().rstrip().endswith("/cockpit/")


# --- check-config ---------------------------------------------------------------------------------


@pytest.mark.parametrize("extra, key, reason", [
    ('[delivery.mail]\nsanitation = ["a@b.test"]\n', "delivery", "needs [delivery.smtp]"),
    ('[delivery.smtp]\nhost = "h"\nfrom = "a@b.test"\n[delivery.mail]\nsanitaton = ["a@b.test"]\n',
     "delivery.mail.sanitaton", "unknown recipient 'sanitaton'"),
    ('[delivery.smtp]\nhost = "h"\nfrom = "a@b.test"\n[delivery.mail]\nsanitation = ["not-an-address"]\n',
     "delivery.mail", "not a mail address"),
    ('[delivery.smtp]\nhost = "h"\nfrom = "a@b.test"\ncafile = "/nowhere/ca.pem"\n', "delivery.smtp.cafile",
     "no such file"),
    ('[[delivery.robot]]\nname = "g"\nformat = "wecom"\nurl = "https://x.test/send"\nsecret = "s"\n',
     "delivery.robot.0", "for format = \"dingtalk\" only"),
    ('[[delivery.robot]]\nname = "mail"\nformat = "wecom"\nurl = "https://x.test/send"\n', "delivery.robot.0",
     "is taken"),
    ('[[delivery.robot]]\nname = "g"\nformat = "feishu"\nurl = "https://x.test/send"\n', "delivery.robot.0.format",
     "'wecom' or 'dingtalk'"),
    ('[[delivery.robot]]\nname = "g"\nformat = "dingtalk"\nurl = "ftp://x.test/send"\n', "delivery.robot.0.url",
     "http(s) URL"),
    ('[[delivery.robot]]\nname = "g"\nformat = "dingtalk"\nurl = "https://x.test/send"\nrecipients = ["boss"]\n',
     "delivery.robot.0.recipients", "unknown recipient 'boss'"),
    ('[[delivery.robot]]\nname = "g"\nformat = "dingtalk"\nurl = "https://x.test/send"\nkinds = ["report"]\n',
     "delivery.robot.0.kinds.0", "'escalation', 'urge', 'reassign', 'assist', 'followup' or 'emergency'"),
])
def test_check_config_names_a_bad_channel(tmp_path, extra, key, reason):
    from tests.helpers import CONFIG_DIR
    folder = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, folder)
    with open(folder / "escalation.toml", "a", encoding="utf-8") as f:
        f.write("\n" + extra)
    with pytest.raises(ConfigError) as caught:
        load_config(folder)
    found = [(p.file, p.key, p.reason) for p in caught.value.problems]
    assert any(file == "escalation.toml" and k == key and reason in why for file, k, why in found), found


def test_the_mail_password_comes_from_the_environment_only(monkeypatch, tmp_path):
    from dispatch import settings
    monkeypatch.setenv("DISPATCH_SMTP_PASSWORD", "from-env")
    assert settings.from_environment({"VAR_DIR": str(tmp_path), "SECRET_KEY": "x"})["SMTP_PASSWORD"] == "from-env"
    monkeypatch.setenv("DISPATCH_SMTP_PASSWORD", "")
    assert settings.from_environment({"VAR_DIR": str(tmp_path), "SECRET_KEY": "x"})["SMTP_PASSWORD"] is None
