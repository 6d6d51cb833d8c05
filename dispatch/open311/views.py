"""Open311 GeoReport v2 over HTTP: /open311/v2/{discovery,services,requests}[/<id>].{json,xml}.

GET requests needs no api_key (the spec): without one the answer is the public view (mapping: no
description, address or media_url, a ~100 m point, no categories marked `public = false`); with one,
every field of the tickets its holder may see under the /api/v1 role rules (others are 404 / absent).

Errors are the spec's list of {code, description} in the format asked (XML when the format is unknown):
404 for what does not exist (service, request, jurisdiction, format, path), 403 for a missing or
invalid api_key or a role that may not report, 400 for everything else — also for a failure of ours
("general service error", logged), so this facade never answers 500.
"""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from flask import Blueprint, current_app, request
from werkzeug.exceptions import HTTPException

from dispatch import clock, db
from dispatch.errors import ApiError
from dispatch.intake import flows
from dispatch.open311 import forms, mapping, queries
from dispatch.open311 import service as open311_service
from dispatch.open311.errors import Open311Error, bad_request, forbidden, not_found
from dispatch.open311.xmldoc import to_xml
from dispatch.tickets import visibility
from dispatch.tickets.models import Ticket
from dispatch.users import service as user_service
from dispatch.users.models import Role, User

log = logging.getLogger(__name__)

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
REPORTER_ROLES = (Role.inspector, Role.command)
MAX_RESULTS = 1000  # GET requests: the spec's default query limit
DEFAULTS = {  # overridable with app.config["OPEN311_<NAME>"]
    "JURISDICTION_ID": "yichuan",
    "ZIPCODE": "200062",
    "CONTACT": "宜川路街道城运中心(城市运行管理中心)",
    "KEY_SERVICE": "API 密钥(api_key)由城运中心发放：python run.py users add NAME --role inspector",
}


def setting(name: str) -> str:
    return current_app.config.get(f"OPEN311_{name}", DEFAULTS[name])


def _format() -> str:
    """The format asked by the URL's extension (also for paths no route matched); XML when unknown."""
    fmt = (request.view_args or {}).get("fmt") or request.path.rsplit(".", 1)[-1]
    return fmt if fmt in FORMATS else "xml"


def answer(root: str, data, status: int = 200):
    """`data` as JSON, or as XML under the root element `root`, per the extension of the URL."""
    fmt = _format()
    if fmt == "xml":
        body = to_xml(root, data)
    else:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8", "replace")
    return current_app.response_class(body, status=status, content_type=FORMATS[fmt])


@bp.errorhandler(Open311Error)
def _open311_error(exc: Open311Error):
    return answer("errors", exc.body(), exc.status)


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    """An error of the shared intake flow (e.g. 422 validation) in Open311 terms."""
    return _open311_error(Open311Error({401: 403, 403: 403, 404: 404}.get(exc.http_status, 400), exc.message))


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    status = 404 if exc.code == 404 else 403 if exc.code in (401, 403) else 400
    return _open311_error(Open311Error(status, exc.description or exc.name))


@bp.errorhandler(Exception)
def _general_error(exc: Exception):
    log.exception("open311: general service error on %s %s", request.method, request.path)
    return _open311_error(bad_request("general service error; it has been logged — please tell the 城运中心"))


@bp.before_request
def _check_format_and_jurisdiction():
    """404 for an unknown format or jurisdiction_id (an empty jurisdiction_id counts as absent)."""
    if request.endpoint != "open311.unknown" and (request.view_args or {}).get("fmt") not in FORMATS:
        raise not_found(f"format not found: use .{' or .'.join(FORMATS)}")
    jurisdiction = request.values.get("jurisdiction_id") or None
    if jurisdiction is not None and jurisdiction != setting("JURISDICTION_ID"):
        raise not_found(f"jurisdiction_id {jurisdiction!r} not found; this endpoint serves "
                        f"{setting('JURISDICTION_ID')!r}")


def street_config():
    return current_app.extensions["street_config"]


@bp.get("/discovery.<fmt>")
def discovery(fmt: str):
    """Service discovery: where the GeoReport v2 endpoint is and which formats it speaks."""
    changeset = _changeset()
    return answer("discovery", {
        "changeset": changeset, "contact": setting("CONTACT"), "key_service": setting("KEY_SERVICE"),
        "endpoints": [{
            # config/intake.toml public_url, never the request's Host header (a forged one would be echoed)
            "specification": mapping.SPECIFICATION, "url": street_config().intake.public_url + bp.url_prefix,
            "changeset": changeset,
            "type": "production" if current_app.config.get("ENV_NAME") == "production" else "test",
            "formats": ["text/xml", "application/json"],
        }],
    })


def _changeset() -> str:
    """When the service list last changed: the modification time of config/categories.toml."""
    try:
        mtime = (street_config().directory / "categories.toml").stat().st_mtime
    except OSError:
        return ""
    return mapping.w3c(datetime.fromtimestamp(int(mtime), UTC), street_config().calendar.timezone)


@bp.get("/services.<fmt>")
def services(fmt: str):
    """Every category as a service type."""
    return answer("services", [mapping.service(c) for c in street_config().categories.values()])


@bp.get("/services/<code>.<fmt>")
def service_definition(code: str, fmt: str):
    """The attributes of a service; 404 for an unknown code or a service without attributes."""
    category = street_config().category_by_code(code)
    if category is None:
        raise not_found(f"service_code {code!r} not found")
    if not category.attributes:
        raise not_found(f"service_code {code!r} has no service definition (metadata is false)")
    return answer("service_definition", mapping.service_definition(category))


@bp.post("/requests.<fmt>")
def create_request(fmt: str):
    """Report through the same intake as POST /api/v1/events (source "open311"); 200 with the new id."""
    if request.mimetype not in FORM_TYPES:
        raise bad_request("send the request as Content-Type: application/x-www-form-urlencoded")
    reporter = _reporter()
    config = street_config()
    report = forms.parse_report(request.form, config=config)
    now = clock.now()
    result = flows.report_event(session=db.session(), config=config, reporter=reporter, event=report.event,
                                now=now, source="open311", media_url=report.media_url,
                                attributes=report.attributes)
    ticket = result.ticket
    originals = _originals([ticket])
    return answer("service_requests", [{
        "service_request_id": ticket.number,
        "service_notice": mapping.service_notice(ticket, config=config, original=originals.get(ticket.duplicate_of)),
        "account_id": None,
    }])


def _reporter():
    """The holder of the api_key, who must be an inspector or the command center (403 otherwise)."""
    key = request.values.get("api_key") or None
    if key is None:
        raise forbidden("api_key was not provided -- can't proceed with create_request")
    user = user_service.get_by_token(session=db.session(), token=key)
    if user is None:
        raise forbidden("invalid api_key -- can't proceed with create_request")
    if user.role not in REPORTER_ROLES:
        raise forbidden(f"this api_key's role ({user.role}) may not create requests; needs inspector or command")
    return user


def _reader() -> User | None:
    """The holder of the api_key of a GET (any active user), or None for the public; 403 for a bad key."""
    key = request.args.get("api_key") or None
    if key is None:
        return None
    user = user_service.get_by_token(session=db.session(), token=key)
    if user is None:
        raise forbidden("invalid api_key -- leave it out to read the public view")
    return user


def _readable(reader: User | None):
    return open311_service.readable(user=reader, public_categories=mapping.public_categories(street_config()))


@bp.get("/requests.<fmt>")
def list_requests(fmt: str):
    """Requests by id (service_request_id=…, overrides the rest) or by service_code/status in a ≤ 90-day window."""
    reader = _reader()
    ids = queries.csv(request.args, "service_request_id")
    if ids:
        if len(ids) > MAX_RESULTS:
            raise bad_request(f"service_request_id: at most {MAX_RESULTS} ids")
        tickets = open311_service.by_request_ids(session=db.session(), request_ids=ids, readable=_readable(reader))
        return _read_answer(tickets, reader)
    search = queries.parse_search(request.args, config=street_config(), now=clock.now())
    tickets = open311_service.search(session=db.session(), start=search.start, end=search.end,
                                     categories=search.categories, statuses=search.statuses, limit=MAX_RESULTS,
                                     readable=_readable(reader))
    return _read_answer(tickets, reader)


@bp.get("/requests/<request_id>.<fmt>")
def get_request(request_id: str, fmt: str):
    """One request (by number, e.g. YC-20261128-0007, or by id), as a list of one; 404 when not readable."""
    reader = _reader()
    tickets = _visible(open311_service.by_request_ids(session=db.session(), request_ids=[request_id],
                                                      readable=_readable(reader)), reader)
    if not tickets:  # the same answer for "no such request" and "not yours to read"
        raise not_found(f"service_request_id {request_id!r} not found")
    return _read_answer(tickets, reader)


def _visible(tickets: list[Ticket], reader: User | None) -> list[Ticket]:
    """A key holder's tickets checked once more with `can_see` (the row-level twin of visibility.clause)."""
    return tickets if reader is None else [t for t in tickets if visibility.can_see(reader, t)]


def _read_answer(tickets: list[Ticket], reader: User | None):
    """The requests, full for a key holder (who may see them all: `readable`), else the public view."""
    tickets = _visible(tickets, reader)
    response = answer("service_requests", _requests(tickets, public=reader is None))
    if reader is not None:
        response.headers["Cache-Control"] = "private, no-store"  # full details: keep out of shared caches
    return response


ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@bp.route("/", defaults={"rest": ""}, methods=ALL_METHODS)
@bp.route("/<path:rest>", methods=ALL_METHODS)
def unknown(rest: str):
    """Anything else under /open311/v2/: 404, or 400 for a known resource asked with another method."""
    adapter = current_app.url_map.bind("")
    allowed = []
    for method in ("GET", "POST"):
        try:
            endpoint, _ = adapter.match(request.path, method=method)
        except HTTPException:
            continue
        if endpoint != "open311.unknown":
            allowed.append(method)
    if allowed and request.method not in allowed:
        raise bad_request(f"{request.method} is not supported here; use {' or '.join(allowed)}")
    raise not_found(f"{request.path} not found; see discovery.xml")


def _requests(tickets: list[Ticket], *, public: bool) -> list[dict]:
    config, originals = street_config(), _originals(tickets)
    return [mapping.service_request(t, config=config, zipcode=setting("ZIPCODE"),
                                     original=originals.get(t.duplicate_of), public=public) for t in tickets]


def _originals(tickets: list[Ticket]) -> dict[int, str]:
    """The numbers of the tickets these duplicates were merged into."""
    return open311_service.numbers(session=db.session(),
                                   ticket_ids={t.duplicate_of for t in tickets if t.duplicate_of})
