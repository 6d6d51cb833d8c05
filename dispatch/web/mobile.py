"""The inspector's phone page /m/: report (上报), my reports (我的上报), verify (核查任务), outbox (待发送).

The page is one template and five scripts (static/js/m_page.js, m_queue.js, m_report.js, m_lists.js, m.js);
all data comes from the JSON API.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from dispatch.auth import current_user
from dispatch.users.models import Role
from dispatch.web.guard import page_for_roles

bp = Blueprint("m", __name__, url_prefix="/m")


@bp.get("/")
@page_for_roles(Role.inspector, Role.command)
def index():
    """The single-page phone app; the city operations centre may use it too (上报, 核查)."""
    return render_template("m/index.html", user=current_user(),
                           config_intake=current_app.extensions["street_config"].intake)
