"""Load and validate the street's data in config/: every problem is reported with file, key and reason."""
from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from dispatch.deadlines.calendar import WorkCalendar
from dispatch.deadlines.config import CalendarConfigError, load_calendar
from dispatch.deadlines.limits import Limit
from dispatch.street import basemap as basemap_config
from dispatch.street import committees as committee_config
from dispatch.street import emergencies as emergency_config
from dispatch.street.schemas import (CategoriesFile, CategoryConfig, DepartmentConfig, DepartmentsFile,
                                     EscalationFile, EvaluationFile, FollowupFile, IntakeFile, JointFile,
                                     ReportsFile, RoutingFile)
from geo.index import ZoneIndex
from geo.problems import ConfigProblemsError, Problem
from geo.zones import Zone, pack_zones, unpack_zones, validate_feature_collection

log = logging.getLogger(__name__)

STATION = "@station"


def _no_desk(code: str, where: str) -> str:
    """A route nobody can take: the command center (kind "command") dispatches and supervises, it has no desk."""
    return (f"{code!r} is the command center (kind = \"command\"): it has no desk and nobody can sign for "
            f"what is routed to it — name a department or station — {where}")


class ConfigError(ConfigProblemsError):
    """The config/ folder has problems; `.problems` lists each with file, key and reason."""


@dataclass(frozen=True)
class StreetConfig:
    """Everything the street configures, validated and indexed for lookups."""

    directory: Path
    departments: dict[str, DepartmentConfig]
    categories: dict[str, CategoryConfig]  # by slug
    routing: RoutingFile
    intake: IntakeFile
    escalation: EscalationFile
    calendar: WorkCalendar
    zones: list[Zone]
    zone_index: ZoneIndex
    evaluation: EvaluationFile = field(default_factory=EvaluationFile)  # 综合指标 weights (evaluation.toml)
    committees: committee_config.Committees = committee_config.NONE  # 居民区 (committees.toml)
    joint: JointFile = field(default_factory=JointFile)  # 吹哨报到's limits (joint.toml)
    reports: ReportsFile = field(default_factory=ReportsFile)  # monthly report schedule, 顽症 rule (reports.toml)
    emergencies: dict[str, emergency_config.EmergencyPlan] = field(default_factory=dict)  # 应急预案 by code
    followup: FollowupFile = field(default_factory=FollowupFile)  # 跟踪回访 rates and due time (followup.toml)
    basemap: basemap_config.MapFile = field(default_factory=basemap_config.MapFile)  # 底图 (map.toml; off by default)
    basemap_layers: dict[str, dict] = field(repr=False, default_factory=dict)  # its GeoJSON base layers by name

    def has_desk(self, code: str | None) -> bool:
        """True for a department or station: one whose users sign for what is routed or dispatched to it
        (the command center, kind "command", dispatches and supervises and has none)."""
        department = self.departments.get(code) if code else None
        return department is not None and department.kind != "command"

    def category_by_code(self, code: str) -> CategoryConfig | None:
        """The category with this GB/T code, or None."""
        return next((c for c in self.categories.values() if c.code == code), None)

    def zone_names(self) -> dict[str, str]:
        """The street's zones (片区, not their nested cells), code → name, in the file's order."""
        return {z.code: z.name for z in self.zones if z.level == "zone"}

    def summary(self) -> str:
        """What a valid config holds, in one line (`check-config` and the admin page print it)."""
        return (f"{len(self.departments)} departments, {len(self.categories)} categories, "
                f"{len(self.routing.rule)} routing rules, {len(self.zones)} zones, "
                f"{len(self.escalation.level)} escalation levels, {len(self.committees.by_code)} residential committees, "
                f"{len(self.emergencies)} emergency plans (应急预案)")

    def zone(self, code: str | None) -> Zone | None:
        """The zone with this code, or None."""
        return self.zone_index.get(code) if code and self.zone_index is not None else None  # a dict lookup


def _read_toml(path: Path, model: type[BaseModel], problems: list[Problem], *, optional: bool = False):
    """(validated model or None, parsed TOML or {}): the raw data still serves the cross-checks.

    An ``optional`` file that is missing gives the model's defaults.
    """
    name = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if optional:
            return model(), {}
        problems.append(Problem(name, "(file)", "file is missing"))
        return None, {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem(name, "(file)", f"not valid TOML: {exc}"))
        return None, {}
    try:
        return model.model_validate(data), data
    except ValidationError as exc:
        for err in exc.errors():
            key = ".".join(str(part) for part in err["loc"]) or "(file)"
            reason = err["msg"].removeprefix("Value error, ") + _entry_label(data, err["loc"])
            problems.append(Problem(name, key, reason))
        return None, data


def _entry_label(data: dict, loc: tuple) -> str:
    """Which [[table]] entry a key points into, for people: ' — in [[category]] no. 1 (06001 illegal_construction)'."""
    if len(loc) < 2 or not isinstance(loc[1], int):
        return ""
    entries = data.get(loc[0])
    if not isinstance(entries, list) or not 0 <= loc[1] < len(entries) or not isinstance(entries[loc[1]], dict):
        return ""
    entry = entries[loc[1]]
    names = " ".join(str(entry[k]) for k in ("code", "slug", "name") if isinstance(entry.get(k), (str, int)))
    return f" — in [[{loc[0]}]] no. {loc[1] + 1}" + (f" ({names})" if names else "")


def read_zones(path: Path, tolerance_m2: float, problems: list[Problem],
                cache_dir: Path | None = None) -> tuple[list[Zone], dict[str, int]]:
    """The zones of zones.geojson and each one's feature index (for problems naming `features[i]`).

    With `cache_dir`, a file validated once is not parsed and validated again: its zones are packed there
    under a key of the file's bytes, the tolerance and the validating code (`_zones_cache_key`), and the
    next start with the same file reads the pack (tens of milliseconds for 40,000 cells instead of
    seconds). A file with problems is never packed; a pack that cannot be read is ignored.
    """
    import json

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(path.name, "(file)", "file is missing"))
        return [], {}
    packed = cache_dir / f"zones-{_zones_cache_key(raw, tolerance_m2)}.bin" if cache_dir else None
    if packed is not None and packed.is_file():
        try:
            zones = unpack_zones(packed.read_bytes())
        except (OSError, ValueError) as exc:
            log.warning("ignoring the packed zones %s (%s): reading %s again", packed.name, exc, path.name)
        else:
            return zones, {z.code: i for i, z in enumerate(zones)}
    try:
        data = json.loads(raw.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem(path.name, "(file)", f"not valid JSON: {exc}"))
        return [], {}
    zones, found = validate_feature_collection(data, source=path.name, overlap_tolerance_m2=tolerance_m2)
    problems.extend(found)
    if packed is not None and not found:
        _write_pack(packed, pack_zones(zones))
    features = data.get("features") if isinstance(data, dict) else None
    return zones, {f["properties"]["code"]: i for i, f in enumerate(features if isinstance(features, list) else [])
                   if isinstance(f, dict) and isinstance(f.get("properties"), dict)
                   and isinstance(f["properties"].get("code"), str)}


def _zones_cache_key(raw: bytes, tolerance_m2: float) -> str:
    """What a pack of zones depends on: the file's bytes, the overlap tolerance, and the code that validates
    and packs them (geo/zones.py, so a release that validates differently reads the file again)."""
    import hashlib

    import geo.zones

    digest = hashlib.sha256(raw)
    digest.update(f"|{tolerance_m2!r}|".encode())
    digest.update(Path(geo.zones.__file__).read_bytes())
    return digest.hexdigest()[:32]


def _write_pack(target: Path, data: bytes) -> None:
    """Write the pack beside its final name and move it there (a reader sees all of it or none)."""
    import os

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.part")
        partial.write_bytes(data)
        os.replace(partial, target)
    except OSError as exc:  # a read-only var/ costs the next start time, nothing else
        log.warning("could not keep the validated zones in %s: %s", target.parent, exc)


def _tables(raw: dict, name: str) -> list[dict]:
    """The [[name]] tables of a parsed TOML file, skipping anything malformed (already reported)."""
    tables = raw.get(name)
    return [t for t in tables if isinstance(t, dict)] if isinstance(tables, list) else []


def _cross_check(departments: dict, categories: dict, routing: dict, zones, feature_index: dict[str, int],
                 problems) -> None:
    """References between files: every code named must exist.

    Works on the parsed TOML, so a file with an unrelated problem (a bad limit, say) still has its
    references checked: every problem is reported in one pass. A file that could not be read at all
    is not used to judge the others.
    """
    seen: dict = {}
    for i, dept in enumerate(_tables(departments, "department")):
        code = dept.get("code")
        if not isinstance(code, str):
            continue  # a missing or mistyped code is reported by the file's own validation
        if code in seen:
            problems.append(Problem("departments.toml", f"department.{i}.code", f"duplicate code {code!r}"))
        seen[code] = i
    for attr in ("code", "slug"):
        seen = {}
        for i, cat in enumerate(_tables(categories, "category")):
            value = cat.get(attr)
            if not isinstance(value, str):
                continue
            if value in seen:
                problems.append(Problem("categories.toml", f"category.{i}.{attr}", f"duplicate {attr} {value!r}"))
            seen[value] = i
    dept_codes = set(_strings([d.get("code") for d in _tables(departments, "department")]))
    slugs = set(_strings([c.get("slug") for c in _tables(categories, "category")]))
    zone_codes = {z.code for z in zones}
    deskless = {d.get("code") for d in _tables(departments, "department") if d.get("kind") == "command"}
    for i, rule in enumerate(_tables(routing, "rule")):
        department = rule.get("department")
        if departments and isinstance(department, str) and department != STATION and department not in dept_codes:
            problems.append(Problem("routing.toml", f"rule.{i}.department",
                                    f"unknown department {department!r} — in [[rule]] no. {i + 1}"))
        elif department in deskless:
            problems.append(Problem("routing.toml", f"rule.{i}.department",
                                    _no_desk(department, f"in [[rule]] no. {i + 1}")))
        for slug in _strings(rule.get("categories")) if categories else []:
            if slug not in slugs:
                problems.append(Problem("routing.toml", f"rule.{i}.categories",
                                        f"unknown category {slug!r} — in [[rule]] no. {i + 1}"))
        for code in _strings(rule.get("zones")) if zones else []:
            if code not in zone_codes:
                problems.append(Problem("routing.toml", f"rule.{i}.zones", f"unknown zone {code!r} — in [[rule]] no. {i + 1}"))
    for zone in zones:
        if departments and zone.station and zone.station not in dept_codes:
            i = feature_index.get(zone.code, "?")
            problems.append(Problem("zones.geojson", f"features[{i}].properties.station",
                                    f"unknown department {zone.station!r}"))
        elif zone.station in deskless:
            i = feature_index.get(zone.code, "?")
            problems.append(Problem("zones.geojson", f"features[{i}].properties.station",
                                    _no_desk(zone.station, f"the station of zone {zone.code!r}")))


def _strings(value) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _check_escalation(escalation: EscalationFile, problems: list[Problem]) -> None:
    levels = [lvl.level for lvl in escalation.level]
    if len(set(levels)) != len(levels):
        problems.append(Problem("escalation.toml", "level", "each level number may appear once"))
    for i, lvl in enumerate(escalation.level):
        if lvl.level == 0 and lvl.at_fraction is None:
            problems.append(Problem("escalation.toml", f"level.{i}.at_fraction", "the warning level needs at_fraction"))
        if lvl.level > 0 and lvl.at_fraction is not None:
            problems.append(Problem("escalation.toml", f"level.{i}.at_fraction", "only level 0 is a fraction"))
        if lvl.after_natural and not Limit.parse(lvl.after_natural).unit.is_natural:
            problems.append(Problem("escalation.toml", f"level.{i}.after_natural",
                                    f"{lvl.after_natural!r} is working time; after_natural takes NH or NM"))


# Who an outbox message may be addressed to besides a department code (escalation.toml's `notify` names
# "department" and "zone_station" become the codes of the ticket's department and the zone's station).
ROLE_RECIPIENTS = ("department_head", "command_center", "command_supervisor", "street_leader")


def _check_delivery(escalation: EscalationFile, departments: set[str], problems: list[Problem]) -> None:
    """Mail and robot recipients name a department or a recipient role (a typo would never be sent to)."""
    known = departments | set(ROLE_RECIPIENTS)
    delivery = escalation.delivery
    for recipient in delivery.mail:
        if recipient not in known:
            problems.append(Problem("escalation.toml", f"delivery.mail.{recipient}",
                                    f"unknown recipient {recipient!r}: a department code or one of "
                                    f"{', '.join(ROLE_RECIPIENTS)}"))
    if delivery.smtp is not None and delivery.smtp.cafile and not Path(delivery.smtp.cafile).is_file():
        problems.append(Problem("escalation.toml", "delivery.smtp.cafile", f"no such file {delivery.smtp.cafile!r}"))
    for i, robot in enumerate(delivery.robot):
        for recipient in robot.recipients:
            if recipient != "*" and recipient not in known:
                problems.append(Problem("escalation.toml", f"delivery.robot.{i}.recipients",
                                        f"unknown recipient {recipient!r}: a department code, one of "
                                        f"{', '.join(ROLE_RECIPIENTS)}, or \"*\" — in [[delivery.robot]] {robot.name}"))


def _check_overrides(escalation: EscalationFile, categories: set[str], problems: list[Problem]) -> None:
    """Each [[override]] names a configured category and an overdue level of the ladder, once."""
    levels = {lvl.level for lvl in escalation.level if lvl.at_fraction is None}
    seen = set()
    for i, item in enumerate(escalation.override):
        if categories and item.category not in categories:
            problems.append(Problem("escalation.toml", f"override.{i}.category", f"unknown category {item.category!r}"))
        if item.level not in levels:
            problems.append(Problem("escalation.toml", f"override.{i}.level",
                                    f"level {item.level} is not an overdue level of the ladder"))
        if (item.category, item.level) in seen:
            problems.append(Problem("escalation.toml", f"override.{i}", "this category's level is overridden twice"))
        seen.add((item.category, item.level))


def _check_evaluation(evaluation: EvaluationFile, problems: list[Problem]) -> None:
    """The 综合指标 points must make 100, and the rates must weigh something."""
    w, points = evaluation.weights, evaluation.supervision.points
    if abs(evaluation.total_points - 100.0) > 1e-9:
        problems.append(Problem("evaluation.toml", "weights", (
            f"the weights ({w.on_time_close_rate:g} + {w.close_rate:g} + {w.no_rework_rate:g}) and "
            f"supervision.points ({points:g}) add up to {evaluation.total_points:g}; they must make 100")))
    elif w.on_time_close_rate + w.close_rate + w.no_rework_rate <= 0:
        problems.append(Problem("evaluation.toml", "weights", "every weight is 0: the composite would be "
                                "the 督办 points alone; weigh at least one rate"))
    scheme = evaluation.committee
    if abs(scheme.responsiveness + scheme.handling - 100.0) > 1e-9:
        problems.append(Problem("evaluation.toml", "committee", (
            f"responsiveness ({scheme.responsiveness:g}) and handling ({scheme.handling:g}) add up to "
            f"{scheme.responsiveness + scheme.handling:g}; they must make 100")))


def load_config(directory: str | Path, *, cache_dir: str | Path | None = None) -> StreetConfig:
    """Read every file of config/, raising ConfigError naming all problems found.

    `cache_dir` (the app's var/cache): where a validated zones file is kept packed for the next start
    (see read_zones); `check-config` passes none and validates everything.
    """
    directory = Path(directory)
    problems: list[Problem] = []
    if not directory.is_dir():
        raise ConfigError([Problem(str(directory), "(folder)", "config folder does not exist")])
    departments, departments_raw = _read_toml(directory / "departments.toml", DepartmentsFile, problems)
    categories, categories_raw = _read_toml(directory / "categories.toml", CategoriesFile, problems)
    routing, routing_raw = _read_toml(directory / "routing.toml", RoutingFile, problems)
    intake, _ = _read_toml(directory / "intake.toml", IntakeFile, problems)
    escalation, _ = _read_toml(directory / "escalation.toml", EscalationFile, problems)
    evaluation, _ = _read_toml(directory / "evaluation.toml", EvaluationFile, problems, optional=True)
    joint, _ = _read_toml(directory / "joint.toml", JointFile, problems, optional=True)
    reports, _ = _read_toml(directory / "reports.toml", ReportsFile, problems, optional=True)
    followup, _ = _read_toml(directory / "followup.toml", FollowupFile, problems, optional=True)
    tolerance_m2 = intake.zone_overlap_tolerance_m2 if intake else 1.0
    zones, feature_index = read_zones(directory / "zones.geojson", tolerance_m2, problems,
                                       Path(cache_dir) if cache_dir else None)
    calendar = None
    try:
        calendar = load_calendar(directory / "calendar.toml")
    except CalendarConfigError as exc:
        problems.extend(p._replace(file=Path(p.file).name) for p in exc.problems)  # calendar.toml, not a path
    _cross_check(departments_raw, categories_raw, routing_raw, zones, feature_index, problems)
    zone_index = ZoneIndex(zones, tolerance_m=intake.zone_tolerance_m) if zones and intake else None
    committees_file, _ = _read_toml(directory / committee_config.FILE, committee_config.CommitteesFile, problems,
                                    optional=True)
    committees = committee_config.NONE
    if committees_file is not None:
        committees, found = committee_config.check(committees_file, zones=zones or [], zone_index=zone_index,
                                                   overlap_tolerance_m2=tolerance_m2)
        problems.extend(found)
    plans_file, _ = _read_toml(directory / emergency_config.FILE, emergency_config.EmergenciesFile, problems,
                               optional=True)
    plans = {}
    if plans_file is not None:
        plans, found = emergency_config.check(
            plans_file, categories={c.slug for c in categories.category} if categories else set(),
            departments={d.code for d in departments.department} if departments else set(),
            desks={d.code for d in departments.department if d.kind != "command"} if departments else set(),
            overdue_levels={lvl.level for lvl in escalation.level if lvl.at_fraction is None} if escalation else set())
        problems.extend(found)
    map_file, _ = _read_toml(directory / basemap_config.FILE, basemap_config.MapFile, problems, optional=True)
    layers = {}
    if map_file is not None:
        layers, found = basemap_config.check(map_file, directory)
        problems.extend(found)
    if escalation:
        _check_escalation(escalation, problems)
        _check_overrides(escalation, {c.slug for c in categories.category} if categories else set(), problems)
        _check_delivery(escalation, {d.code for d in departments.department} if departments else set(), problems)
    if evaluation is not None:
        _check_evaluation(evaluation, problems)
    if problems:
        raise ConfigError(problems)
    return StreetConfig(
        directory=directory,
        departments={d.code: d for d in departments.department},
        categories={c.slug: c for c in categories.category},
        routing=routing, intake=intake, escalation=escalation, calendar=calendar, zones=zones,
        zone_index=zone_index,
        evaluation=evaluation, committees=committees, joint=joint, followup=followup, reports=reports,
        emergencies=plans,
        basemap=map_file or basemap_config.MapFile(), basemap_layers=layers,
    )
