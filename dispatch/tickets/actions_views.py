"""Ticket actions and photos over HTTP: POST /tickets/<id>/actions, /tickets/<id>/photos."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, send_file

from dispatch import clock, db
from dispatch.auth import require_user
from dispatch.errors import ApiError
from dispatch.query import parse_query
from dispatch.tickets import flows, photos, visibility
from dispatch.tickets.filters import PhotoQuery
from dispatch.tickets.models import Photo
from dispatch.tickets.schemas import ActionRequest, BulkActionRequest
from dispatch.tickets.serialize import ticket_public
from dispatch.tickets.views import MAX_TICKET_ID, visible_ticket
from dispatch.validation import parse_json

bp = Blueprint("ticket_actions", __name__, url_prefix="/api/v1")


def _detail(ticket):
    config = current_app.extensions["street_config"]
    return {"ticket": ticket_public(ticket, config=config, now=clock.now(), session=db.session(), detail=True)}


@bp.post("/tickets/<int:ticket_id>/actions")
def act(ticket_id: int):
    """Take one action (签收, 退单, 处置完成, 核查, 延期, 挂账, 督办, 作废…); 409 if the move is not allowed."""
    user = require_user()
    body = parse_json(ActionRequest)
    ticket = visible_ticket(ticket_id)
    flows.perform(session=db.session(), config=current_app.extensions["street_config"], ticket=ticket,
                  actor=user, request=body, now=clock.now())
    return jsonify(_detail(ticket))


@bp.post("/tickets/bulk-actions")
def act_on_many():
    """派遣, 督办 or 催办 on selected tickets: each checked and acted on by itself; 200 with each one's outcome."""
    user = require_user()
    body = parse_json(BulkActionRequest)
    return jsonify(flows.perform_many(session=db.session(), config=current_app.extensions["street_config"],
                                      actor=user, request=body, now=clock.now()))


@bp.post("/tickets/<int:ticket_id>/photos")
def upload_photo(ticket_id: int):
    """multipart/form-data: `photo` (JPEG/PNG/WebP) and `stage` (before|after)."""
    user = require_user()
    ticket = visible_ticket(ticket_id)
    if not visibility.can_upload(user, ticket, session=db.session()):
        raise ApiError(403, "forbidden", "you may not add photos to this ticket")
    if not request.mimetype.startswith("multipart/form-data"):
        raise ApiError(415, "unsupported_media_type", "send multipart/form-data with a `photo` file")
    upload = request.files.get("photo")
    if upload is None:
        raise ApiError(422, "validation_error", "photo: a file field named `photo` is required")
    config = current_app.extensions["street_config"]
    max_bytes = config.intake.photo_max_bytes
    stage = request.form.get("stage", "before")
    if not photos.takes_photo(ticket, user=user, stage=stage):
        raise ApiError(409, "ticket_ended", f"the ticket is {ticket.status}: its record takes no more photos",
                       status=ticket.status)
    data = upload.stream.read(max_bytes + 1)
    photo = photos.store(session=db.session(), ticket=ticket, user=user, data=data,
                         stage=stage, var_dir=current_app.config["VAR_DIR"],
                         max_bytes=max_bytes, max_pixels=config.intake.photo_max_pixels, now=clock.now())
    body = _detail(ticket)
    body["photo"] = next(p for p in body["ticket"]["photos"] if p["id"] == photo.id)
    return jsonify(body), 201


def _photo_of(ticket_id: int, photo_id: int):
    """The visible ticket and its photo; 404 for either."""
    ticket = visible_ticket(ticket_id)
    photo = db.session().get(Photo, photo_id) if photo_id <= MAX_TICKET_ID else None  # ids are INTEGER too
    if photo is None or photo.ticket_id != ticket_id:
        raise ApiError(404, "not_found", f"no photo {photo_id} on ticket {ticket_id}")
    return ticket, photo


def _stamp(ticket, photo):
    """The 水印 of the photo in the street's time zone."""
    return photos.stamp_for(ticket=ticket, photo=photo, tz=current_app.extensions["street_config"].calendar.timezone)


def _private(response, ticket):
    """Kept out of shared caches (proxies, CDNs): `private`; a category about homes (`public = false`, 群租,
    居改非…) is not kept at all, not even by the browser: `no-store`."""
    category = current_app.extensions["street_config"].categories.get(ticket.category)
    response.cache_control.public = False
    response.cache_control.private = True
    if category is None or not category.public:
        response.cache_control.max_age = None
        response.cache_control.no_store = True
    response.vary.update(("Authorization", "Cookie"))
    return response


@bp.get("/tickets/<int:ticket_id>/photos/<int:photo_id>")
def get_photo(ticket_id: int, photo_id: int):
    """The photo stamped with the ticket's 水印 (number, 上报时间, place) and without its location metadata, to
    whoever may see the ticket; `?original=1`: as uploaded (the record, EXIF GPS included), to the command
    center and admins only."""
    user = require_user()
    query = parse_query(PhotoQuery)
    ticket, photo = _photo_of(ticket_id, photo_id)
    var_dir = current_app.config["VAR_DIR"]
    if query.original:
        if not visibility.can_fetch_original(user):
            raise ApiError(403, "forbidden", "only the command center and admins get a photo as uploaded")
        path = photos.path_for(var_dir, photo.sha256)
        path = path if path.exists() else None
    else:
        path = photos.ensure_served(var_dir, photo, _stamp(ticket, photo))
    if path is None:
        raise ApiError(404, "not_found", "the photo file is missing from storage")
    return _private(send_file(path, mimetype=photo.content_type, max_age=3600), ticket)


@bp.get("/tickets/<int:ticket_id>/photos/<int:photo_id>/thumbnail")
def get_thumbnail(ticket_id: int, photo_id: int):
    """A small stamped JPEG of the photo without its metadata (for lists and pages), to whoever may see the ticket."""
    ticket, photo = _photo_of(ticket_id, photo_id)
    path = photos.ensure_thumbnail(current_app.config["VAR_DIR"], photo, _stamp(ticket, photo))
    if path is None:
        raise ApiError(404, "not_found", "the photo file is missing from storage")
    return _private(send_file(path, mimetype="image/jpeg", max_age=3600), ticket)
