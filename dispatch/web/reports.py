"""The monthly reports for the command center: /cockpit/reports (list, make) and the print-ready A4 report page.

The pages show what `dispatch.reports.service` stored; nothing here computes a figure.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from dispatch import clock, db
from dispatch.auth import require_user
from dispatch.reports import service as report_service
from dispatch.users.models import Role
from dispatch.web.guard import page_for_roles

bp = Blueprint("cockpit_reports", __name__, url_prefix="/cockpit/reports")
REPORT_ROLES = (Role.command, Role.admin)
DEADLINE_NAMES = {"response": "签收", "resolve": "处置"}


@bp.record_once
def _strict_csp(state) -> None:
    state.app.config.setdefault("CSP_BLUEPRINTS", set()).add(bp.name)


def pct(value) -> str:
    """0.6667 → 66.7%; None → —."""
    return "—" if value is None else f"{value * 100:.1f}%"


def num(value) -> str:
    """A count or score as shown; None → —."""
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def change(value, kind: str = "count") -> str:
    """A month-over-month change with its sign: +8, −33.3 个百分点; None → —."""
    if value is None:
        return "—"
    if value == 0:
        return "持平"
    sign = "+" if value > 0 else "−"
    if kind == "rate":
        return f"{sign}{abs(value) * 100:.1f} 个百分点"
    return f"{sign}{num(abs(value))}"


HELPERS = {"pct": pct, "num": num, "change": change, "deadline_names": DEADLINE_NAMES}


@bp.get("/")
@page_for_roles(*REPORT_ROLES)
def index():
    """Every stored month, the month due, a form to make one now."""
    session, config = db.session(), current_app.extensions["street_config"]
    now = clock.now()
    lines = [report_service.summary_line(r) for r in report_service.listing(session=session)]
    return render_template("cockpit/reports.html", user=require_user(), lines=lines,
                           due=report_service.month_text(report_service.due_month(config=config, now=now)),
                           last=report_service.month_text(report_service.last_finished(config=config, now=now)),
                           message=request.args.get("message"), **HELPERS)


@bp.post("/")
@page_for_roles(*REPORT_ROLES)
def make():
    """The form's 生成: store a month's report (a new version only with a reason)."""
    session, config = db.session(), current_app.extensions["street_config"]
    try:
        report = report_service.generate(
            session=session, config=config, month=report_service.parse_month(request.form.get("month", "")),
            now=clock.now(), by=require_user().username, new_version=request.form.get("new_version") == "1",
            reason=request.form.get("reason"))
    except report_service.ReportExists as exc:
        return redirect(url_for(".index", message=f"{exc.report.month} 已有报告(第 {exc.report.version} 版)，"
                                                  "如需重新生成请勾选“生成新版本”并填写原因"))
    except report_service.ReportError as exc:
        message = "需填写生成新版本的原因" if "reason" in str(exc) else f"无法生成：{exc}"
        return redirect(url_for(".index", message=message))
    return redirect(url_for(".show", month=report.month, version=report.version))


@bp.get("/<month>")
@page_for_roles(*REPORT_ROLES)
def show(month: str):
    """The stored report of `month` (?version=) as a print-ready A4 page."""
    version = request.args.get("version", type=int)
    session = db.session()
    stored = report_service.get(session=session, month=month, version=version)
    if stored is None:
        abort(404)
    return render_template("cockpit/report.html", stored=stored, report=stored.data,
                           versions=report_service.versions(session=session, month=month), **HELPERS)
