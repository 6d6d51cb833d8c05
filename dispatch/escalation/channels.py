"""The outbox's channels besides the webhook: mail (SMTP) and group-chat robots (企业微信 / 钉钉).

Each outbox message is one delivery through one channel (its ``channel`` column): ``webhook`` (the street's
webhook, or the log when none is set), ``mail`` (the addresses ``[delivery.mail]`` lists for the message's
recipient, through ``[delivery.smtp]``) or a robot's name (``[[delivery.robot]]``). Which channels a message
goes through is decided when it is queued (``DeliveryConfig.channels_for``); a failed send raises, and the
outbox retries it with the same backoff as a webhook POST.

Robot bodies follow the platforms' documented custom-robot messages: 企业微信 ``{"msgtype": "text", "text":
{"content"}}`` or ``{"msgtype": "markdown", "markdown": {"content"}}``; 钉钉 ``{"msgtype": "text", "text":
{"content"}}`` or ``{"msgtype": "markdown", "markdown": {"title", "text"}}``. Both answer HTTP 200 with
``errcode`` 0 on success; any other errcode is a failure. 钉钉 加签: ``timestamp`` (ms) and ``sign`` =
base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")), URL-encoded, added to the URL.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import urllib.request
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import quote_plus

from dispatch.street.config import StreetConfig
from dispatch.street.schemas import RobotConfig, SmtpConfig
from dispatch.tickets import clock, joint_clock

KIND_TITLES = {"escalation": "超期升级", "urge": "催办", "reassign": "改派", "assist": "协办超期", "followup": "回访超期",
               "emergency": "应急指挥"}
# 签收时限, 处置时限 (a ticket's), 报到时限, 协办时限 (an assist task's): the names the clocks give their deadlines
DEADLINE_NAMES = {kind: name + "时限" for kind, name in {**clock.KIND_LABELS, **joint_clock.KIND_LABELS}.items()}


def text_of(payload: dict, config: StreetConfig) -> tuple[str, list[str]]:
    """A message in words for people: its title and lines (the category, zone and department by name)."""
    kind = payload.get("kind", "escalation")
    if kind == "emergency":
        return _emergency_text(payload, config)
    number = payload.get("number", "")
    category = config.categories.get(payload.get("category") or "")
    department = config.departments.get(payload.get("department") or "")
    department_name = department.name if department else payload.get("department") or ""
    zone = config.zone(payload.get("zone"))
    deadline = DEADLINE_NAMES.get(payload.get("deadline") or "", "")
    if kind == "escalation":
        title = f"【{payload.get('level_name', KIND_TITLES[kind])}】{number} {deadline}"
    elif kind == "assist":  # the assisting department's 报到 or task deadline
        title = f"【协办{payload.get('level_name', '超期')}】{number} {department_name}{deadline}"
    elif kind == "followup":
        title = f"【回访{payload.get('level_name', '超期')}】{number}"
    elif kind == "reassign":
        title = f"【改派】{number} 改派至{department_name}"
    else:
        title = f"【{KIND_TITLES.get(kind, kind)}】{number}"
    lines = [f"类别：{category.name if category else payload.get('category', '')}",
             f"片区：{zone.name if zone else '片区外'}"]
    if kind == "assist":
        lines.append(f"协办部门：{department_name}")
    elif kind != "followup":
        lines.append(f"处置部门：{department.name if department else '未派遣'}")
    if kind in ("escalation", "assist") and payload.get("deadline_at"):
        lines.append(f"时限：{_local(payload['deadline_at'], config)}")
    if kind == "followup" and payload.get("followup_due_at"):
        lines.append(f"回访时限：{_local(payload['followup_due_at'], config)}")
    if kind == "reassign" and payload.get("reassigned_from"):
        earlier = config.departments.get(payload["reassigned_from"])
        lines.append(f"原处置部门：{earlier.name if earlier else payload['reassigned_from']}")
    if payload.get("note"):
        lines.append(f"说明：{payload['note']}")
    if payload.get("by"):
        lines.append(f"经办：{payload['by']}")
    if payload.get("ticket_id") is not None:
        lines.append(f"查看：{config.intake.public_url}/desk/tickets/{payload['ticket_id']}")
    return title, lines


def _emergency_text(payload: dict, config: StreetConfig) -> tuple[str, list[str]]:
    """An emergency's message (启动, 升级/降级, 到岗超时, 结束): the 预案 and level, the zones, the step."""
    title = f"【应急指挥】{payload.get('title', '')} {payload.get('event_name', '')}".rstrip()
    zones = payload.get("zones") or []
    names = [zone.name if (zone := config.zone(code)) else code for code in zones]
    lines = [f"范围：{'、'.join(names) if names else '全街道'}"]
    if payload.get("checkin_due_at"):
        lines.append(f"到岗时限：{_local(payload['checkin_due_at'], config)}")
    if payload.get("event") == "checkin_late" and payload.get("due_at"):
        lines.append(f"到岗时限：{_local(payload['due_at'], config)}（{payload.get('department_name', '')}）")
    if payload.get("note"):
        lines.append(f"说明：{payload['note']}")
    if payload.get("emergency_id") is not None:  # a department checks in on its desk; the command center watches
        if config.departments.get(payload.get("recipient") or ""):
            page = "desk/"
        elif payload.get("event") == "ended":
            page = f"cockpit/emergencies/{payload['emergency_id']}/review"
        else:
            page = "cockpit/"
        lines.append(f"查看：{config.intake.public_url}/{page}")
    return title, lines


def _local(iso: str, config: StreetConfig) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone(config.calendar.timezone).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


# --- mail -----------------------------------------------------------------------------------------------


def mail_message(smtp: SmtpConfig, to: list[str], title: str, lines: list[str], *, message_id: int) -> EmailMessage:
    """The notification as a plain-text mail (UTF-8), one per outbox message."""
    mail = EmailMessage()
    mail["Subject"] = title
    mail["From"] = smtp.sender
    mail["To"] = ", ".join(to)
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(f"outbox{message_id}")
    mail.set_content("\n".join(lines) + "\n")
    return mail


def send_mail(smtp: SmtpConfig, password: str | None, mail: EmailMessage, *, timeout: float) -> None:
    """Send through the street's server: STARTTLS (certificate verified) when configured, login when a user is
    set; raise on any failure (a server without STARTTLS when it is configured, a refused login or address)."""
    with smtplib.SMTP(smtp.host, smtp.port, timeout=timeout) as server:
        server.ehlo()
        if smtp.starttls:  # the server's certificate is verified (never a login in clear when TLS is asked for)
            server.starttls(context=ssl.create_default_context(cafile=smtp.cafile or None))
            server.ehlo()
        if smtp.user:
            if not password:
                raise smtplib.SMTPAuthenticationError(535, b"DISPATCH_SMTP_PASSWORD is not set")
            server.login(smtp.user, password)
        refused = server.send_message(mail)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)


# --- robots ---------------------------------------------------------------------------------------------


def robot_body(robot: RobotConfig, title: str, lines: list[str]) -> dict:
    """The robot's documented message body for this notification (text or markdown)."""
    if robot.msgtype == "text":
        return {"msgtype": "text", "text": {"content": "\n".join([title, *lines])}}
    markdown = "\n".join([f"### {title}", *(f"> {line}" for line in lines)])
    if robot.format == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": title, "text": markdown}}
    return {"msgtype": "markdown", "markdown": {"content": markdown}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉 加签: base64 of HMAC-SHA256(secret, "timestamp\\nsecret"), URL-encoded.

    >>> dingtalk_sign("SEC000", 1700000000000)
    'ltBBey5eZrWKh1cPzFIdz3v3xpkc4Tjx4lLsPSHqdtA%3D'
    """
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def robot_url(robot: RobotConfig, now: datetime) -> str:
    """The robot's URL; for a 钉钉 robot with a secret, with `timestamp` and `sign` added."""
    if robot.format != "dingtalk" or not robot.secret:
        return robot.url
    timestamp = int(now.timestamp() * 1000)
    separator = "&" if "?" in robot.url else "?"
    return f"{robot.url}{separator}timestamp={timestamp}&sign={dingtalk_sign(robot.secret, timestamp)}"


def post_robot(url: str, body: dict, timeout: float) -> None:
    """POST the body; raise on a network error, a non-2xx answer or an errcode other than 0."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # raises HTTPError for 4xx/5xx
        answer = resp.read(65536)
    try:
        result = json.loads(answer or b"{}")
    except ValueError:
        raise OSError(f"robot answered something other than JSON: {answer[:200]!r}") from None
    if isinstance(result, dict) and result.get("errcode", 0) != 0:
        raise OSError(f"robot answered errcode {result.get('errcode')}: {result.get('errmsg', '')}")
