"""System administration (系统管理) /admin/ for the admin role: users, their sessions, the street's config.

Plain HTML forms (usable without a mouse, every POST carries the session's CSRF token), each calling the
same service the command line calls — `users.service` (create, set_password, set_active, rotate_token),
`users.web_sessions` (list_open, revoke_one, revoke_all), `street.config.load_config` (what
`python run.py check-config` runs) and `street.service.reload` (what `POST /api/v1/admin/reload-config`
runs). The rules stay there; a refusal comes back as a `UserError` whose code is named here in Chinese.
Every change is logged as `admin NAME: what` (the users domain keeps no audit table).
"""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from dispatch import clock, db
from dispatch.auth import require_user
from dispatch.street import service as street_service
from dispatch.street.config import ConfigError, load_config
from dispatch.street.views import category_public
from dispatch.users import service as user_service
from dispatch.users import web_sessions
from dispatch.users.models import Role, User
from dispatch.web.guard import ROLE_LABELS, page_for_roles

log = logging.getLogger(__name__)
bp = Blueprint("admin", __name__, url_prefix="/admin")

# What each refusal of the users service means, for the page (the service says it in English for the CLI).
REFUSALS = {
    "role": "请选择角色",
    "username": "用户名为 1–64 位字母、数字、汉字或 _ . -",
    "department_needed": "处置部门账号需要选择所属部门",
    "department_not_allowed": "只有处置部门账号选择部门",
    "zone_not_allowed": "只有网格巡查员账号选择片区",
    "unknown_department": "没有这个部门",
    "unknown_zone": "没有这个片区",
    "committee_needed": "居委账号需要选择所属居民区",
    "committee_not_allowed": "只有居委账号选择居民区",
    "unknown_committee": "没有这个居民区",
    "exists": "该用户名已被使用",
    "password_short": "密码至少 8 位",
    "passwords_differ": "两次输入的密码不一致",
    "self": "不能停用自己的账号",
}
MAX_FIELD = 200


@bp.record_once
def _strict_csp(state) -> None:
    """These pages load only same-origin scripts: opt in to the strict Content-Security-Policy."""
    state.app.config.setdefault("CSP_BLUEPRINTS", set()).add(bp.name)


def _refusal(exc: user_service.UserError) -> str:
    return REFUSALS.get(exc.code, str(exc))


def _config():
    return current_app.extensions["street_config"]


def _field(name: str) -> str:
    return request.form.get(name, "").strip()[:MAX_FIELD]


def _user_or_404(username: str) -> User:
    user = user_service.get_by_username(session=db.session(), username=username)
    if user is None:
        abort(404)
    return user


def _audit(what: str, *args) -> None:
    log.info("admin %s: " + what, require_user().username, *args)


@bp.get("/")
@page_for_roles(Role.admin)
def index():
    return redirect(url_for("admin.users"))


@bp.get("/users")
@page_for_roles(Role.admin)
def users():
    """Every user: role, department or zone, enabled or not, open sessions; the form to add one."""
    return _users_page()


def _users_page(*, error: str | None = None, form: dict | None = None, status: int = 200):
    session, now = db.session(), clock.now()
    config = _config()
    return render_template(
        "admin/users.html", users=user_service.list_all(session=session),
        open_sessions=web_sessions.open_counts(session=session, now=now), roles=ROLE_LABELS,
        departments=config.departments, zones=config.zone_names(), committees=config.committees.by_code,
        error=error, form=form or {}), status


@bp.post("/users")
@page_for_roles(Role.admin)
def add_user():
    """Create a user as `users add` does; the API token is shown once, on the answer to this form."""
    form = {name: _field(name) for name in ("username", "display_name", "role", "department", "zone", "committee")}
    password = request.form.get("password", "")[:MAX_FIELD]
    role = form["role"]
    config, session, now = _config(), db.session(), clock.now()
    try:
        if password:
            user_service.check_password_rules(password)  # before creating: no half-made user
        user, token = user_service.create(
            session=session, username=form["username"], role=role, now=now,
            department=form["department"] if role == Role.department else None,
            zone=(form["zone"] or None) if role == Role.inspector else None, display_name=form["display_name"],
            departments=set(config.departments), zones={z.code for z in config.zones},
            committee=(form["committee"] or None) if role == Role.committee else None,
            committees=set(config.committees.by_code))
        if password:
            user_service.set_password(session=session, user=user, password=password, now=now)
    except user_service.UserError as exc:
        return _users_page(error=_refusal(exc), form=form, status=422)
    _audit("added user %s (%s)", user.username, user.role)
    return _user_page(user, token=token, message=f"已创建用户 {user.username}", status=201)


@bp.get("/users/<username>")
@page_for_roles(Role.admin)
def user(username: str):
    """One user: details, open sessions (each can be ended), password reset, disable/enable, new token."""
    return _user_page(_user_or_404(username))


def _user_page(user: User, *, token: str | None = None, message: str | None = None, error: str | None = None,
               status: int = 200):
    now = clock.now()
    return render_template(
        "admin/user.html", user=user, roles=ROLE_LABELS, token=token, message=message, error=error,
        sessions=web_sessions.list_open(session=db.session(), user_id=user.id, now=now),
        tz=_config().calendar.timezone, departments=_config().departments,
        zones=_config().zone_names()), status


@bp.post("/users/<username>/password")
@page_for_roles(Role.admin)
def reset_password(username: str):
    """Set a new password (typed twice), as `users passwd` does: the user's sessions end."""
    user = _user_or_404(username)
    password = request.form.get("password", "")[:MAX_FIELD]
    try:
        if password != request.form.get("password_again", "")[:MAX_FIELD]:
            raise user_service.UserError("the passwords differ", "passwords_differ")
        user_service.set_password(session=db.session(), user=user, password=password, now=clock.now())
    except user_service.UserError as exc:
        return _user_page(user, error=_refusal(exc), status=422)
    _audit("reset the password of %s", user.username)
    flash(f"已重置 {user.username} 的密码，其登录会话已全部结束")
    return redirect(url_for("admin.user", username=user.username))


@bp.post("/users/<username>/active")
@page_for_roles(Role.admin)
def set_active(username: str):
    """停用 / 启用 (`users disable|enable`): a disabled user's token and sessions are refused at once."""
    user = _user_or_404(username)
    active = request.form.get("active") == "1"
    try:
        user_service.set_active(session=db.session(), user=user, active=active, now=clock.now(), by=require_user())
    except user_service.UserError as exc:
        return _user_page(user, error=_refusal(exc), status=409)
    _audit("%s %s", "enabled" if active else "disabled", user.username)
    flash(f"已{'启用' if active else '停用'} {user.username}")
    return redirect(url_for("admin.user", username=user.username))


@bp.post("/users/<username>/token")
@page_for_roles(Role.admin)
def new_token(username: str):
    """A new API token (`users token`), shown once; the old one stops working."""
    user = _user_or_404(username)
    token = user_service.rotate_token(session=db.session(), user=user)
    _audit("issued a new API token to %s", user.username)
    return _user_page(user, token=token, message=f"已为 {user.username} 生成新的 API 令牌，旧令牌已失效")


@bp.post("/users/<username>/sessions/end")
@page_for_roles(Role.admin)
def end_sessions(username: str):
    """End all of the user's browser sessions (`users logout`); its API token keeps working."""
    user = _user_or_404(username)
    ended = web_sessions.revoke_all(session=db.session(), user_id=user.id, now=clock.now())
    _audit("ended %d session(s) of %s", ended, user.username)
    flash(f"已结束 {user.username} 的 {ended} 个登录会话")
    return redirect(url_for("admin.user", username=user.username))


@bp.post("/users/<username>/sessions/<int:session_id>/end")
@page_for_roles(Role.admin)
def end_session(username: str, session_id: int):
    """End one browser session of the user (a lost phone)."""
    user = _user_or_404(username)
    if not web_sessions.revoke_one(session=db.session(), user_id=user.id, session_id=session_id, now=clock.now()):
        flash("该登录会话已经结束")
    else:
        _audit("ended session %d of %s", session_id, user.username)
        flash(f"已结束 {user.username} 的一个登录会话")
    return redirect(url_for("admin.user", username=user.username))


@bp.get("/config")
@page_for_roles(Role.admin)
def config():
    """The running config's departments and categories, and the buttons to check or reload config/."""
    return _config_page()


def _config_page(*, problems=None, outcome: str | None = None, status: int = 200):
    cfg = _config()
    return render_template(
        "admin/config.html", departments=list(cfg.departments.values()),
        categories=[category_public(c) for c in cfg.categories.values()],
        generation=current_app.extensions.get(street_service.GENERATION), problems=problems, outcome=outcome,
        counts=_counts(cfg)), status


def _counts(cfg) -> dict:
    return {"部门": len(cfg.departments), "事件类别": len(cfg.categories), "派遣规则": len(cfg.routing.rule),
            "片区与网格": len(cfg.zones), "升级层级": len(cfg.escalation.level), "居民区": len(cfg.committees.by_code)}


@bp.post("/config/check")
@page_for_roles(Role.admin)
def check_config():
    """Validate config/ as `python run.py check-config` does; nothing changes."""
    try:
        checked = load_config(current_app.config["CONFIG_DIR"])
    except ConfigError as exc:
        return _config_page(problems=exc.problems, outcome="check_failed", status=422)
    counts = "、".join(f"{n} 个{what}" for what, n in _counts(checked).items())
    return _config_page(outcome=f"config/ 检查通过：{counts}（尚未重新加载）")


@bp.post("/config/reload")
@page_for_roles(Role.admin)
def reload_config():
    """Re-read config/ as `POST /api/v1/admin/reload-config` does: on any problem nothing changes."""
    try:
        street_service.reload(current_app._get_current_object())
    except ConfigError as exc:
        log.warning("admin %s: config reload refused: %d problem(s)", require_user().username, len(exc.problems))
        return _config_page(problems=exc.problems, outcome="reload_failed", status=422)
    _audit("reloaded the config")
    flash("配置已重新加载，所有进程将在数秒内跟进")
    return redirect(url_for("admin.config"))
