"""Who may open which page: `page_for_roles`, each role's home page, the HTML error page, form CSRF."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import redirect, render_template, request, url_for

from dispatch.auth import csrf_matches, current_user
from dispatch.errors import ApiError
from dispatch.users.models import Role, User

HOME_PAGES = {Role.inspector: "/m/", Role.department: "/desk/", Role.command: "/cockpit/", Role.admin: "/cockpit/",
              Role.committee: "/m/"}
ROLE_LABELS = {Role.inspector: "网格巡查员", Role.department: "处置部门", Role.command: "城运中心",
               Role.admin: "系统管理员", Role.committee: "居委"}
_ERROR_TEXT = {
    400: ("请求有误", "请求无法处理，请返回后重试。"),
    401: ("请先登录", "请登录后再访问。"),
    403: ("无权访问", "您的账号没有访问此页面的权限。"),
    404: ("页面不存在", "您访问的页面不存在或已被移除。"),
    405: ("操作不允许", "此页面不支持该操作。"),
    413: ("文件过大", "上传的文件超过了大小限制。"),
    429: ("请求过于频繁", "请稍后再试。"),
}
STALE_FORM = "页面已过期或来源不明，请刷新页面后重试。"


def home_for(user: User) -> str:
    """The page a user lands on: inspector and 居委 → /m/, department → /desk/, command and admin → /cockpit/."""
    return HOME_PAGES.get(user.role, "/login")


def role_label(role: str) -> str:
    """The role's Chinese name (网格巡查员, 处置部门, 城运中心, 系统管理员)."""
    return ROLE_LABELS.get(role, role)


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site (no scheme, no host, no `//`), else None.

    >>> safe_next("/m/?tab=verify"), safe_next("//evil.example/"), safe_next("https://evil.example/")
    ('/m/?tab=verify', None, None)
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if any(c in target for c in "\r\n\\") or urlsplit(target).netloc:
        return None
    return target


def signed_in_user() -> User | None:
    """The current user, or None (also when the request's credentials are bad)."""
    try:
        return current_user()
    except ApiError:
        return None


def render_error_page(code: int, description: str | None = None, *, message: str | None = None):
    """A Chinese HTML error page (status `code`) with a link back to the user's own page or to sign-in."""
    title, default_message = _ERROR_TEXT.get(code, ("出错了", "服务暂时无法完成请求，请稍后再试。"))
    user = signed_in_user()
    return render_template("error.html", code=code, title=title, message=message or default_message,
                           home=home_for(user) if user else "/login", signed_in=user is not None), code


def page_for_roles(*roles: str):
    """Page decorator: not signed in → redirect to /login?next=…; another role → the 403 HTML page.

    An unsafe method (a form POST) also needs the session's CSRF token (hidden field `csrf_token`
    or header `X-CSRF-Token`), else a 403 page.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            try:
                user = current_user()
            except ApiError as exc:
                if exc.code == "csrf":
                    return render_error_page(403, message=STALE_FORM)
                user = None
            if user is None:
                if request.method not in ("GET", "HEAD"):
                    return render_error_page(401)
                path = request.full_path if request.query_string else request.path
                return redirect(url_for("web_auth.login", next=path))
            if roles and user.role not in roles:
                return render_error_page(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def form_csrf_ok() -> bool:
    """True when the posted form's `csrf_token` field matches this session's token."""
    return csrf_matches(request.form.get("csrf_token"))
