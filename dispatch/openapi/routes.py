"""The /api/v1 operations, one declaration each. A new route is documented by adding its `Operation` here."""
from __future__ import annotations

from dispatch.intake.models import IDEMPOTENCY_KEY_MAX, IDEMPOTENCY_KEY_PATTERN, EventCreate
from dispatch.openapi.models import (CategoriesPublic, DepartmentsPublic, ErrorBody, Health, PhotoUpload,
                                     PhotoUploaded, TicketsPage, ZoneCollection)
from dispatch.openapi.registry import Operation, Param, Reply, build, query_params
from dispatch.stats.export import XLSX_MIMETYPE
from dispatch.stats.schemas import StatsQuery, StatsReport, TrendQuery, TrendReport
from dispatch.street.config import StreetConfig
from dispatch.street.public import CommitteesPublic, CommitteesQuery, ConfigReloaded, LocateQuery, ZoneLocation
from dispatch.tickets.filters import PhotoQuery, TicketsQuery, described_codes
from dispatch.tickets.schemas import ActionRequest, BulkActionRequest, BulkActionResult, TicketEnvelope

TICKET_ID = Param("ticket_id", "path", {"type": "integer", "minimum": 1}, "the ticket's id")
PHOTO_ID = Param("photo_id", "path", {"type": "integer", "minimum": 1}, "the photo's `id` in the ticket's photos")
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


def _zone_codes(config: StreetConfig) -> dict:
    return {"enum": list(config.zone_names())}


def operations(config: StreetConfig) -> list[Operation]:
    """Every documented /api/v1 route (and /healthz); enums of codes come from the street's config."""
    return [
        Operation("GET", "/healthz", "Health: the database answers", "system", auth=False,
                  responses={200: Health, 503: Reply(Health, "The database does not answer")}),
        Operation("GET", "/api/v1/zones", "Zones (片区) as GeoJSON", "reference", auth=False,
                  responses={200: Reply(ZoneCollection, media_type="application/geo+json")}),
        Operation("GET", "/api/v1/zones/locate", "The zone (片区) a point falls in", "reference", auth=False,
                  params=query_params(LocateQuery), responses={200: ZoneLocation}, errors=(400,),
                  description="The same index and tolerance intake uses; GCJ-02 and BD-09 are converted to "
                              "WGS-84 first. Out of area: zone null, how outside."),
        Operation("GET", "/api/v1/committees", "Residential committees (居民区, 居委会), all or one zone's",
                  "reference", auth=False, params=query_params(CommitteesQuery, zone=_zone_codes(config)),
                  responses={200: CommitteesPublic}, errors=(400,)),
        Operation("GET", "/api/v1/categories", "Event categories with their deadlines", "reference",
                  auth=False, responses={200: CategoriesPublic}),
        Operation("GET", "/api/v1/departments", "Departments (处置部门)", "reference", auth=False,
                  responses={200: DepartmentsPublic}),
        Operation("POST", "/api/v1/events", "Report an event (事件上报)", "intake", request=EventCreate,
                  params=(Param("Idempotency-Key", "header",
                                {"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_MAX,
                                 "pattern": IDEMPOTENCY_KEY_PATTERN},
                                "a retry with the same key returns the first ticket (200) instead of a new one; "
                                "1–200 printable ASCII characters (! to ~, spaces inside only), else 400 "
                                "invalid_idempotency_key; keys belong to their user"),),
                  responses={201: Reply(TicketEnvelope, "The new ticket"),
                             200: Reply(TicketEnvelope, "Replay of an Idempotency-Key: the ticket it made")},
                  errors=(400, 403, 413, 422),
                  description="Inspectors and the command center. The ticket is geolocated, deduplicated "
                              "(same category within 50 m / 24 h → status duplicate, duplicate_of set), "
                              "routed and numbered."),
        Operation("GET", "/api/v1/tickets", "Tickets you may see, newest first", "tickets",
                  params=query_params(TicketsQuery, **described_codes(config)),
                  responses={200: TicketsPage}, errors=(400, 403)),
        Operation("GET", "/api/v1/tickets/{ticket_id}", "One ticket with its timeline (留痕), deadlines, photos",
                  "tickets", params=(TICKET_ID,), responses={200: TicketEnvelope}, errors=(403, 404)),
        Operation("POST", "/api/v1/tickets/{ticket_id}/actions", "One step of the closed loop (签收, 退单, 核查…)",
                  "tickets", params=(TICKET_ID,), request=ActionRequest, responses={200: TicketEnvelope},
                  errors=(400, 403, 404, 409, 422),
                  description="改派 (reassign: `department` and `reason`) and 催办 (urge) belong to the command "
                              "center; 催办 answers 409 urge_too_soon within an hour of the ticket's last one."),
        Operation("POST", "/api/v1/tickets/bulk-actions", "派遣, 督办 or 催办 on many selected tickets",
                  "tickets", request=BulkActionRequest, responses={200: BulkActionResult}, errors=(400, 403, 422),
                  description="The command center and admins. Each ticket is checked and acted on by itself, in "
                              "its own transaction: the answer lists, in the order sent, which succeeded and for "
                              "the others the error a single action would have answered (not_found, "
                              "illegal_transition, no_desk, urge_too_soon …). 403 for a role that may not take "
                              "the action at all."),
        Operation("POST", "/api/v1/tickets/{ticket_id}/photos", "Add a before/after photo (JPEG, PNG, WebP)",
                  "tickets", params=(TICKET_ID,), request=PhotoUpload, body_media_type="multipart/form-data",
                  responses={201: PhotoUploaded}, errors=(403, 404, 409, 413, 415, 422),
                  description="409 ticket_ended: an ended ticket (closed, cancelled, duplicate) takes no more "
                              "photos, except a duplicate's own reporter's `before` photo. 422 corrupt_photo: it "
                              "does not decode; 422 photo_too_large: more than photo_max_pixels."),
        Operation("GET", "/api/v1/tickets/{ticket_id}/photos/{photo_id}", "A photo's bytes", "tickets",
                  params=(TICKET_ID, PHOTO_ID, *query_params(PhotoQuery)),
                  responses={200: tuple(Reply(None, "The stamped photo without metadata (original=1: as uploaded)",
                                              media_type=media_type) for media_type in PHOTO_TYPES)},
                  errors=(400, 403, 404),
                  description="To whoever may see the ticket (404 otherwise): the served copy — upright, with the "
                              "ticket's stamp (水印: number, 处置前/后, 上报时间, upload time, address and "
                              "coordinates) along its bottom, in the upload's format, without any metadata (no "
                              "EXIF GPS, XMP or IPTC); `original=1` gives the command "
                              "center and admins the photo as uploaded (403 for other roles). `Cache-Control: "
                              "private` (`no-store` for a category not shown publicly)."),
        Operation("GET", "/api/v1/tickets/{ticket_id}/photos/{photo_id}/thumbnail",
                  "A photo's thumbnail (JPEG, at most 480 px, stamped, no EXIF)", "tickets", params=(TICKET_ID, PHOTO_ID),
                  responses={200: Reply(None, "The thumbnail", media_type="image/jpeg")},
                  errors=(404,), description="For lists and pages on mobile data; the same access and caching as "
                                             "the photo."),
        Operation("GET", "/api/v1/stats", "Evaluation (评价) figures, in total and per group", "stats",
                  params=query_params(StatsQuery, zone=_zone_codes(config)),
                  responses={200: (Reply(StatsReport),
                                   Reply(None, "The report as a workbook (format=xlsx)", media_type=XLSX_MIMETYPE),
                                   Reply(None, "The report as CSV, UTF-8 with BOM (format=csv)",
                                         media_type="text/csv"))},
                  errors=(400, 403),
                  description="The command center and admins; a department user gets its own department's "
                              "figures only. The formulas are in docs/stats.md."),
        Operation("GET", "/api/v1/stats/trend", "Reported and closed tickets per local day", "stats",
                  params=query_params(TrendQuery, zone=_zone_codes(config)), responses={200: TrendReport},
                  errors=(400, 403),
                  description="The command center and admins; a department user: its own department's tickets."),
        Operation("POST", "/api/v1/admin/reload-config", "Re-read config/ without a restart (admin)", "admin",
                  responses={200: ConfigReloaded}, errors=(403, 422),
                  description="Validates every file first; on any problem nothing changes and the 422 lists "
                              "them (file, key, reason). A category or department that tickets use cannot "
                              "be removed."),
    ]


def document(config: StreetConfig, *, version: str) -> dict:
    """The OpenAPI 3.1 document of /api/v1."""
    return build(operations(config), title="宜川路街道 event dispatch API", version=version,
                 description="Grid-governance events (网格化管理): report, dispatch, handle, verify. "
                             "Errors are {\"error\": {\"code\", \"message\"}}. Open311 GeoReport v2 is "
                             "served separately under /open311/v2/ (see docs/open311.md).",
                 error_model=ErrorBody)

