"""Sign-in and sign-out for the browser pages (password checked against its scrypt hash)."""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify, redirect, render_template, request, session

from dispatch import clock, db
from dispatch.auth import SESSION_KEY, end_session, start_session
from dispatch.users import service as user_service
from dispatch.users import throttle
from dispatch.web.guard import STALE_FORM, form_csrf_ok, home_for, render_error_page, safe_next, signed_in_user

log = logging.getLogger(__name__)
bp = Blueprint("web_auth", __name__)

# one message for every failure (unknown name, wrong password, locked): reveals nothing about accounts
LOGIN_FAILED = "用户名或密码错误（连续失败 5 次将暂停登录 15 分钟）"
MAX_FIELD = 200


@bp.get("/")
def index():
    """The signed-in user's own page, or the sign-in page."""
    user = signed_in_user()
    return redirect(home_for(user) if user else "/login")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """GET: the sign-in form. POST: check username and password, start a fresh session, go on."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        user = signed_in_user()
        if user is not None:
            return redirect(target or home_for(user))
        return render_template("login.html", next=target or "", error=None)
    if not form_csrf_ok():
        return render_template("login.html", next=target or "", error=STALE_FORM), 400
    username = request.form.get("username", "").strip()[:MAX_FIELD]
    password = request.form.get("password", "")[:MAX_FIELD]
    address, now = request.remote_addr or "", clock.now()
    until = throttle.blocked_until(session=db.session(), address=address, now=now)
    if until is not None:
        return _too_many_failures(until, now, target, username)
    user = None
    if username and password:
        user = user_service.check_password(session=db.session(), username=username, password=password, now=now)
    if user is None:
        failures = throttle.count_failure(session=db.session(), address=address, now=now)
        log.info("sign-in failed for %r from %s (%d from there in %s)", username, address, failures,
                 throttle.WINDOW)
        return render_template("login.html", next=target or "", error=LOGIN_FAILED, username=username), 401
    start_session(user)  # a new server-side session and CSRF token; nothing from before survives
    log.info("user %s signed in", user.username)
    return redirect(target or home_for(user))


def _too_many_failures(until, now, target: str | None, username: str):
    """429: this address failed too often; HTML for the page, JSON for a client that asks for it."""
    wait = max(1, int((until - now).total_seconds() + 59) // 60)
    message = f"此地址登录失败次数过多，请 {wait} 分钟后再试"
    log.warning("sign-in refused from %s for %d min: %d failures in %s", request.remote_addr, wait,
                throttle.ADDRESS_LIMIT, throttle.WINDOW)
    headers = {"Retry-After": str(wait * 60)}
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        body = {"error": {"code": "too_many_requests", "message": message}}
        return jsonify(body), 429, headers
    return render_template("login.html", next=target or "", error=message, username=username), 429, headers


@bp.post("/logout")
def logout():
    """End the session on the server (the form carries the CSRF token) and go back to the sign-in page."""
    if not form_csrf_ok() and session.get(SESSION_KEY) is not None:
        return render_error_page(400, message=STALE_FORM)
    end_session()
    return redirect("/login")
