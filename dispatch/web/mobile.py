"""The inspector's phone page /m/: report (上报), my reports (我的上报), verify (核查任务), 回访, outbox (待发送).

A 居委 (role committee) gets the same page for its 居民区: 约请上报 (its reports are 约请), 本居民区 (the tickets
of its 居民区, each with its evaluation), 待评价 (the closed tickets awaiting its evaluation, with the time left,
and the evaluation form: static/js/m_evaluate.js) and 待发送 (no 回访).

The page is one template, the scripts every page shares (static/js/dom.js, labels.js, time.js, api.js,
session.js), the zone map and timeline scripts (zonemap.js, timeline.js) and its own eight (m_page.js, m_queue.js,
m_questions.js, m_report.js, m_lists.js, m_evaluate.js, m_followup.js, m.js) with the 回访 form (followup.js); all
data comes from the JSON API. `/m/sw.js` is its service worker (static/js/m_sw.js) that keeps a copy of the page,
so /m/ opens offline once it was loaded online; its cache name carries a hash of the app-shell files, computed when
the app starts, so a deploy with changed files replaces the copy.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, url_for

from dispatch.auth import current_user
from dispatch.users.models import Role
from dispatch.web.guard import page_for_roles
from dispatch.web.static_files import file_version

bp = Blueprint("m", __name__, url_prefix="/m")

# The app shell the service worker keeps (paths under the static folder), besides /m/ itself. Every script,
# style and icon templates/m/index.html (with base.html) loads must be here, or /m/ breaks offline; nothing
# the page does not load should be: the worker copies these from the HTTP cache the page has just filled
# (m_sw.js), and a file the page never asked for would be downloaded by the install instead.
SHELL_STATIC = ("css/app.css", "css/m.css", "css/photoviewer.css", "js/dom.js", "js/labels.js", "js/time.js", "js/api.js",
                "js/session.js", "vendor/echarts/echarts-map.min.js", "js/zonemap.js", "js/timeline.js", "js/photoviewer.js",
                "js/m_page.js", "js/m_queue.js", "js/m_questions.js", "js/m_report.js", "js/m_lists.js",
                "js/m_evaluate.js", "js/followup.js", "js/m_followup.js", "js/m.js", "favicon.svg")
SW_SOURCE = "js/m_sw.js"


def shell_version(static_folder: str | Path) -> str:
    """A short hash of the app-shell files and the worker's own source: it changes when any of them does (made of
    each file's version, web.static_files, which reads a file once per version of it)."""
    digest = hashlib.sha256()
    for name in (*SHELL_STATIC, SW_SOURCE):
        version = file_version(str(static_folder), name)
        if version is None:
            raise FileNotFoundError(Path(static_folder) / name)
        digest.update(f"{name}\0{version}\0".encode())
    return digest.hexdigest()[:16]


@bp.record_once
def _compute_shell_version(state) -> None:
    app = state.app
    source = (Path(app.static_folder) / SW_SOURCE).read_text(encoding="utf-8")
    # served without its opening comment (for the source's readers, not the phone's mobile data)
    app.extensions["m_sw"] = {"version": shell_version(app.static_folder),
                              "source": re.sub(r"\A/\*.*?\*/\s*", "", source, count=1, flags=re.DOTALL)}


@bp.get("/")
@page_for_roles(Role.inspector, Role.command, Role.committee)
def index():
    """The single-page phone app; the city operations centre may use it too (上报, 核查), and a 居委 (约请, 评价)."""
    config = current_app.extensions["street_config"]
    user = current_user()
    committee = config.committees.by_code.get(user.committee) if user.committee else None
    return render_template("m/index.html", user=user, config_intake=config.intake, committee=committee,
                           is_committee=user.role == Role.committee, workday_minutes=config.calendar.minutes_per_workday)


@bp.get("/sw.js")
def service_worker():
    """The page's service worker, with its cache version and app-shell URLs (?v=<hash> each) filled in (scope /m/).

    Served without sign-in (it is code, no data) and `Cache-Control: no-cache`, so the browser checks for
    a new worker on every visit instead of keeping an old one.
    """
    sw = current_app.extensions["m_sw"]
    shell = [url_for("m.index"), *(url_for("static", filename=name) for name in SHELL_STATIC)]
    text = (sw["source"].replace('"__SW_VERSION__"', json.dumps(sw["version"]))
            .replace('["__SW_SHELL__"]', json.dumps(shell)))
    response = Response(text, mimetype="application/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response
