"""Pydantic shapes of the street's config files (config/*.toml), validated at start."""
from __future__ import annotations

import re
from typing import Literal, get_args
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dispatch.deadlines.limits import HasLimits, Limit

CODE = r"^[A-Za-z0-9_]+$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _limit(value: str) -> str:
    Limit.parse(value)  # raises ValueError with a reason
    return value


class DepartmentConfig(_Strict):
    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1)
    kind: Literal["command", "department", "station"] = "department"
    handles: str = ""


class DepartmentsFile(_Strict):
    department: list[DepartmentConfig] = Field(min_length=1)


AttributeType = Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]


class AttributeValue(_Strict):
    """One choice of a list attribute (Open311 `values`)."""

    key: str = Field(min_length=1)
    name: str = Field(min_length=1)


class AttributeConfig(_Strict):
    """An extra question asked when reporting this category (Open311 service definition `attribute`)."""

    code: str = Field(pattern=CODE)
    description: str = Field(min_length=1)  # the question shown to the reporter
    datatype: AttributeType = "string"
    required: bool = False
    datatype_description: str = ""
    values: list[AttributeValue] = []
    minimum: float | None = Field(None, allow_inf_nan=False)  # number attributes: the smallest answer taken
    maximum: float | None = Field(None, allow_inf_nan=False)  # number attributes: the largest answer taken
    integer: bool = False  # number attributes: only whole numbers (a count: 居住户数)

    @model_validator(mode="after")
    def _values_match_datatype(self):
        if (self.minimum is not None or self.maximum is not None or self.integer) and self.datatype != "number":
            raise ValueError(f"only number attributes take minimum/maximum/integer, not {self.datatype}")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("minimum is above maximum")
        is_list = self.datatype.endswith("valuelist")
        if is_list and not self.values:
            raise ValueError(f"a {self.datatype} attribute needs values")
        if not is_list and self.values:
            raise ValueError(f"only singlevaluelist/multivaluelist attributes take values, not {self.datatype}")
        keys = [v.key for v in self.values]
        if len(set(keys)) != len(keys):
            raise ValueError("each value key may appear once")
        return self


class CategoryConfig(_Strict, HasLimits):
    code: str = Field(pattern=CODE)
    slug: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1)
    group: str = "其他"
    response: str
    resolve: str
    urgent: bool = False
    after_photo_required: bool = False
    keywords: list[str] = []
    attributes: list[AttributeConfig] = []  # in the order they are asked
    # false: reports of this category concern homes (群租, 居改非…) and are left out of the public,
    # key-less Open311 GET requests (they stay visible under the role rules, with an api_key)
    public: bool = True
    # how near an open report of this category makes a new one its duplicate; None: intake.toml's radius.
    # 0: never merged by distance (群租, 居改非: the flats of one building are metres apart)
    duplicate_radius_m: float | None = Field(None, ge=0, allow_inf_nan=False)

    _check_limits = field_validator("response", "resolve")(_limit)

    @field_validator("attributes")
    @classmethod
    def _unique_attribute_codes(cls, value):
        codes = [a.code for a in value]
        if len(set(codes)) != len(codes):
            raise ValueError("each attribute code may appear once in a category")
        return value


class CategoriesFile(_Strict):
    category: list[CategoryConfig] = Field(min_length=1)


HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class RoutingRule(_Strict):
    categories: list[str] | None = None
    zones: list[str] | None = None
    hours: tuple[str, str] | None = None
    department: str = Field(min_length=1)

    @field_validator("hours")
    @classmethod
    def _hours(cls, value):
        if value is not None:
            for part in value:
                if not HHMM.match(part):
                    raise ValueError(f"{part!r} is not HH:MM")
            if value[0] == value[1]:
                raise ValueError("empty time range")
        return value


class RoutingFile(_Strict):
    rule: list[RoutingRule] = []


class DuplicatesConfig(_Strict):
    enabled: bool = True
    radius_m: float = Field(50.0, gt=0, le=5000)
    window_hours: float = Field(24.0, gt=0, le=24 * 30)


class IntakeFile(_Strict):
    number_prefix: str = Field("YC", pattern=r"^[A-Z]{1,6}$")
    zone_tolerance_m: float = Field(30.0, ge=0, le=1000)
    zone_overlap_tolerance_m2: float = Field(1.0, ge=0)
    description_max_chars: int = Field(4000, gt=0, le=100_000)
    photo_max_bytes: int = Field(10 * 1024 * 1024, gt=0)
    photo_max_pixels: int = Field(40_000_000, gt=0, le=178_956_970)  # width × height; ≤ Pillow's bomb limit
    # where the public reaches this service (Open311 discovery names it); never taken from a request's Host
    public_url: str = Field("http://127.0.0.1:5000", max_length=500)
    duplicates: DuplicatesConfig = DuplicatesConfig()

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        """An absolute http(s) URL without query, fragment or credentials; kept without its trailing slash."""
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an absolute http(s) URL, e.g. https://wgh.example.gov.cn")
        if parts.query or parts.fragment or parts.username or parts.password or any(c.isspace() for c in value):
            raise ValueError("must be a plain base URL: no query, fragment, credentials or spaces")
        try:
            parts.port  # noqa: B018 — a port out of range raises here
        except ValueError:
            raise ValueError("has an invalid port") from None
        return value.rstrip("/")


Recipient = Literal["department", "department_head", "zone_station", "command_center",
                    "command_supervisor", "street_leader"]


class EscalationLevel(_Strict):
    level: int = Field(ge=0, le=9)
    name: str = Field(min_length=1)
    at_fraction: float | None = Field(None, gt=0, lt=1)
    after: str | None = None           # after the deadline, for categories with working-time limits (WH/WD)
    after_natural: str | None = None   # the same for categories with natural-time limits (NH/NM); default: after
    notify: list[Recipient] = []
    supervise: bool = False
    colour: str = "red"

    @field_validator("after", "after_natural")
    @classmethod
    def _after(cls, value):
        return None if value is None else _limit(value)

    @property
    def after_limit(self) -> Limit | None:
        return Limit.parse(self.after) if self.after else None

    def after_for(self, *, natural: bool) -> Limit | None:
        """How long after the deadline this level comes, in the units of the deadline's own limit kind."""
        if natural and self.after_natural:
            return Limit.parse(self.after_natural)
        return self.after_limit


class EscalationOverride(_Strict):
    """A category's own step for one level (``[[override]]``): e.g. 占用消防通道 督办 15 NM after the deadline."""

    category: str = Field(min_length=1)
    level: int = Field(ge=1, le=9)
    after: str

    @field_validator("after")
    @classmethod
    def _after(cls, value):
        return _limit(value)


# What an outbox message is about: a ticket's 超期升级, 催办, 改派, an assist task's 协办超期 (吹哨报到), an overdue
# 回访, an emergency's messages (应急指挥: 启动, 升级/降级, 到岗超时, 结束).
NotificationKind = Literal["escalation", "urge", "reassign", "assist", "followup", "emergency"]
NOTIFICATION_KINDS: tuple[str, ...] = get_args(NotificationKind)
CHANNEL_NAMES_TAKEN = ("webhook", "mail", "log")  # the channels a robot may not be named after


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        raise ValueError("must be an absolute http(s) URL")
    return value


class SmtpConfig(_Strict):
    """The street's mail server (``[delivery.smtp]``); its password comes from DISPATCH_SMTP_PASSWORD only."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    host: str = Field(min_length=1, max_length=253)
    port: int = Field(587, ge=1, le=65535)
    starttls: bool = True
    user: str = ""  # empty: the server takes mail without login (a relay on the office network)
    cafile: str = ""  # a CA certificate (PEM) to trust besides the system's, for a server with the street's own CA
    sender: str = Field(alias="from", min_length=3, max_length=320)

    @field_validator("sender")
    @classmethod
    def _address(cls, value: str) -> str:
        if "@" not in value or any(c in value for c in "\r\n"):
            raise ValueError("must be a mail address, e.g. \"网格化管理 <wgh@example.gov.cn>\"")
        return value


class RobotConfig(_Strict):
    """A group-chat robot (``[[delivery.robot]]``): 企业微信 (wecom) or 钉钉 (dingtalk) 自定义机器人 webhook."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,15}$")
    format: Literal["wecom", "dingtalk"]
    url: str = Field(min_length=1, max_length=1000)
    msgtype: Literal["text", "markdown"] = "markdown"
    secret: str = Field("", max_length=200)  # 钉钉 加签: timestamp + HMAC-SHA256 of it, added to the URL
    recipients: list[str] = Field(["*"], min_length=1)  # department codes or recipient roles; "*" every one
    kinds: list[NotificationKind] = Field(list(NOTIFICATION_KINDS), min_length=1)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _http_url(value)

    @model_validator(mode="after")
    def _secret_for_dingtalk(self):
        if self.secret and self.format != "dingtalk":
            raise ValueError("secret (加签) is for format = \"dingtalk\" only")
        if self.name in CHANNEL_NAMES_TAKEN:
            raise ValueError(f"name {self.name!r} is taken: choose another")
        return self

    def carries(self, recipient: str, kind: str) -> bool:
        """True when this robot posts `kind` messages for `recipient`."""
        return kind in self.kinds and ("*" in self.recipients or recipient in self.recipients)


class DeliveryConfig(_Strict):
    webhook_url: str = ""
    smtp: SmtpConfig | None = None
    mail: dict[str, list[str]] = {}  # recipient (department code or role) → mail addresses
    robot: list[RobotConfig] = []
    timeout_seconds: float = Field(5, gt=0, le=120)
    max_attempts: int = Field(8, ge=1, le=100)
    backoff_seconds: float = Field(30, ge=0)
    backoff_max_seconds: float = Field(3600, ge=0)
    interval_seconds: float = Field(30, ge=1)

    @field_validator("mail")
    @classmethod
    def _addresses(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for recipient, addresses in value.items():
            if not addresses:
                raise ValueError(f"{recipient}: list at least one address")
            bad = [a for a in addresses if "@" not in a or any(c.isspace() for c in a)]
            if bad:
                raise ValueError(f"{recipient}: not a mail address: {bad[0]!r}")
        return value

    @model_validator(mode="after")
    def _channels(self):
        if self.mail and self.smtp is None:
            raise ValueError("[delivery.mail] needs [delivery.smtp] (the mail server)")
        names = [robot.name for robot in self.robot]
        if len(names) != len(set(names)):
            raise ValueError("each [[delivery.robot]] needs its own name")
        return self

    def channels_for(self, recipient: str, kind: str) -> list[str]:
        """The channels a `kind` message to `recipient` goes through: the webhook (or the log), mail when the
        recipient has addresses, and each robot that carries it. One outbox message per channel."""
        found = ["webhook"]
        if recipient in self.mail:
            found.append("mail")
        found += [robot.name for robot in self.robot if robot.carries(recipient, kind)]
        return found

    def robot_named(self, name: str) -> RobotConfig | None:
        return next((robot for robot in self.robot if robot.name == name), None)


class EscalationFile(_Strict):
    sweep_interval_seconds: float = Field(60, ge=1, le=3600)
    level: list[EscalationLevel] = Field(min_length=1)
    override: list[EscalationOverride] = []
    delivery: DeliveryConfig = DeliveryConfig()

    def steps(self, *, category: str, natural: bool) -> dict[int, Limit | None]:
        """level → how long after the deadline it comes, for a deadline of `category` whose limit is natural
        time or not: the category's override, else the level's step for that kind of limit (None: at the
        deadline; the warning level, a share of the window, has none)."""
        found = {lvl.level: lvl.after_for(natural=natural) for lvl in self.level}
        for item in self.override:
            if item.category == category:
                found[item.level] = Limit.parse(item.after)
        return found


def _points(default: float, description: str):
    return Field(default, ge=0, le=100, allow_inf_nan=False, strict=True, description=description)


class CompositeWeights(_Strict):
    """Points of each rate term of 综合指标 (config/evaluation.toml [weights])."""

    on_time_close_rate: float = _points(50.0, "按期结案率 × this")
    close_rate: float = _points(30.0, "结案率 × this")
    no_rework_rate: float = _points(10.0, "(1 − 返工率) × this")


class SupervisionConfig(_Strict):
    """督办分: full points for a group without a 督办 ticket, minus a penalty per 督办 ticket, down to 0."""

    points: float = _points(10.0, "督办分 without any 督办 ticket")
    penalty: float = _points(2.0, "taken off per 督办 ticket")


class CommitteeGrades(_Strict):
    """Points (0–100) of each answer of a 居委's evaluation: 满意, 基本满意, 不满意."""

    satisfied: float = _points(100.0, "满意")
    basically_satisfied: float = _points(60.0, "基本满意")
    dissatisfied: float = _points(0.0, "不满意")


class CommitteeScheme(_Strict):
    """How the 居委's evaluations (评价) weigh in the department ranking (排名分; docs/stats.md)."""

    weight: float = _points(20.0, "share (%) of 排名分 taken by 居委评价分; the rest is 综合指标")
    responsiveness: float = _points(50.0, "share (%) of 响应度 in 居委评价分 (with handling: 100)")
    handling: float = _points(50.0, "share (%) of 处置 in 居委评价分")
    grades: CommitteeGrades = CommitteeGrades()


class EvaluationFile(_Strict):
    """config/evaluation.toml: the local scheme of 综合指标 (the sum of 100 is checked beside the file's shape),
    the 居委's evaluation window and its weight in the ranking."""

    min_due_to_close: int = Field(1, ge=1, strict=True)
    weights: CompositeWeights = CompositeWeights()
    supervision: SupervisionConfig = SupervisionConfig()
    committee_window: str = Field("5 WD", description="how long after 结案 a 居委 may evaluate a ticket "
                                  "(WH/WD working time on the deadlines' calendar, NH/NM natural time)")
    committee: CommitteeScheme = CommitteeScheme()

    _check_window = field_validator("committee_window")(_limit)

    @property
    def window_limit(self) -> Limit:
        """The evaluation window as a Limit ("5 WD")."""
        return Limit.parse(self.committee_window)

    @property
    def total_points(self) -> float:
        """The three weights plus the full 督办 points (100 in a valid file)."""
        w = self.weights
        return w.on_time_close_rate + w.close_rate + w.no_rework_rate + self.supervision.points


class JointFile(_Strict):
    """config/joint.toml: 吹哨报到's default limits for an assisting department (协办). A category whose ticket
    limits are natural time (urgent: NH/NM) uses the `*_natural` ones, as its ticket deadlines do."""

    checkin: str = Field("2 WH", description="报到 (check-in) limit, counted from the whistle")
    checkin_natural: str = Field("30 NM", description="报到 limit for categories with natural-time limits")
    task: str = Field("3 WD", description="协办 task limit (done), counted from the whistle")
    task_natural: str = Field("4 NH", description="task limit for categories with natural-time limits")

    @field_validator("checkin", "checkin_natural", "task", "task_natural")
    @classmethod
    def _limits(cls, value):
        return _limit(value)

    @model_validator(mode="after")
    def _natural_ones_are_natural(self):
        for name in ("checkin_natural", "task_natural"):
            if not Limit.parse(getattr(self, name)).unit.is_natural:
                raise ValueError(f"{name} {getattr(self, name)!r} is working time; it takes NH or NM")
        return self

    def limits(self, *, natural: bool) -> tuple[Limit, Limit]:
        """(报到 limit, task limit) for a category whose limits are natural time or not."""
        if natural:
            return Limit.parse(self.checkin_natural), Limit.parse(self.task_natural)
        return Limit.parse(self.checkin), Limit.parse(self.task)


class HotspotsConfig(_Strict):
    """顽症 (recurring hotspots): `min_reports` reports of one category within `window_days` inside `radius_m`."""

    radius_m: float = Field(50.0, gt=0, le=1000, allow_inf_nan=False, description="metres around a report")
    min_reports: int = Field(3, ge=2, le=100, strict=True, description="reports that make a hotspot")
    window_days: int = Field(30, ge=1, le=366, strict=True, description="days back from a report")


class MonthlyConfig(_Strict):
    """The monthly report's schedule: on the first working day of a month, from `generate_after` (local time)."""

    generate_after: str = Field("08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, Asia/Shanghai")
    check_interval_seconds: int = Field(600, ge=10, le=86400, strict=True, description="how often the job looks")


class ReportsFile(_Strict):
    """config/reports.toml: the monthly 研判's schedule and the hotspot rule (optional file; these defaults)."""

    monthly: MonthlyConfig = MonthlyConfig()
    hotspots: HotspotsConfig = HotspotsConfig()


SOURCE = r"^[a-z0-9_]{1,16}$"


class FollowupFile(_Strict):
    """config/followup.toml: which closed tickets get a 回访 (follow-up visit), and by when.

    A ticket's source (``tickets.source``: ``api``/``web`` an inspector's report, ``open311`` the public,
    ``committee`` a 居委's 约请) names its rate: 1 always, 0 never, between: that share of the tickets, drawn
    from a hash of the ticket number (the same ticket is always drawn the same way). A source not listed
    takes ``default_rate``.
    """

    limit: str = Field("3 WD", description="due this long after the closing (WH/WD working time, NH/NM clock time)")
    default_rate: float = Field(0.0, ge=0, le=1, allow_inf_nan=False)
    rates: dict[str, float] = {"committee": 1.0, "open311": 1.0, "api": 0.2, "web": 0.2}
    reopened_always: bool = True  # a ticket reopened after an 不满意 回访 is visited again when it closes again

    _check_limit = field_validator("limit")(_limit)

    @field_validator("rates")
    @classmethod
    def _rates(cls, value: dict[str, float]) -> dict[str, float]:
        for source, share in value.items():
            if not re.match(SOURCE, source):
                raise ValueError(f"source {source!r} must be 1–16 of a-z, 0-9, _ (as tickets.source)")
            if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
                raise ValueError(f"rate of {source!r} must be a number from 0 to 1, got {share!r}")
        return value

    def rate(self, source: str) -> float:
        """The share of this source's closed tickets that get a 回访."""
        return self.rates.get(source, self.default_rate)

    @property
    def due_limit(self) -> Limit:
        return Limit.parse(self.limit)
