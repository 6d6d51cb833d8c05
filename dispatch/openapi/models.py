"""Response shapes of /api/v1 that the views build as dicts: declared here so the document can name them.

They mirror dispatch/errors.py and dispatch/street/views.py; tests/dispatch/test_openapi.py runs
schemathesis against the live app, so a view that drifts from its shape here fails the suite.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dispatch.tickets.schemas import PhotoPublic, TicketEnvelope, TicketsPublic


class ErrorDetail(BaseModel):
    field: str
    problem: str


class Error(BaseModel):
    """code: a stable machine word (validation_error, not_found, …); message: for people."""

    model_config = ConfigDict(extra="allow")  # some errors add context, e.g. the ticket's status
    code: str
    message: str
    details: list[ErrorDetail] | None = None


class ErrorBody(BaseModel):
    """Every 4xx (and the 500 that should never happen): {"error": {"code", "message", ...}}."""

    error: Error


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    database: bool


class AttributeChoice(BaseModel):
    key: str
    name: str


class AttributePublic(BaseModel):
    """A question the category asks on report (补充信息); answer it in POST /api/v1/events `attributes`."""

    code: str
    description: str = Field(description="the question, in Chinese")
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    required: bool
    datatype_description: str
    values: list[AttributeChoice] = Field(description="the choices of a singlevaluelist/multivaluelist")
    minimum: float | None = Field(description="number: the smallest answer taken")
    maximum: float | None = Field(description="number: the largest answer taken")
    integer: bool = Field(description="number: whole numbers only")


class CategoryPublic(BaseModel):
    code: str
    slug: str
    name: str
    group: str
    response_limit: str
    resolve_limit: str
    urgent: bool
    after_photo_required: bool
    keywords: list[str]
    attributes: list[AttributePublic] = Field(description="questions asked on report, in order")


class CategoriesPublic(BaseModel):
    data: list[CategoryPublic]
    count: int


class DepartmentPublic(BaseModel):
    code: str
    name: str
    kind: Literal["command", "department", "station"]
    handles: str


class DepartmentsPublic(BaseModel):
    data: list[DepartmentPublic]
    count: int


class ZoneProperties(BaseModel):
    model_config = ConfigDict(extra="allow")  # any other property of the zone file is passed on
    code: str
    name: str
    station: str | None
    level: str
    parent: str | None


class ZoneFeature(BaseModel):
    type: Literal["Feature"]
    id: str
    properties: ZoneProperties
    geometry: dict  # Polygon or MultiPolygon, WGS-84 lon/lat


class ZoneCollection(BaseModel):
    """RFC 7946 FeatureCollection of the zones (片区)."""

    type: Literal["FeatureCollection"]
    features: list[ZoneFeature]


class TicketsPage(TicketsPublic):
    """A page of tickets: `count` is the total matching, `limit`/`offset` the page asked for."""

    limit: int
    offset: int


class PhotoUploaded(TicketEnvelope):
    """The ticket with its photos, and the photo just stored."""

    photo: PhotoPublic


class PhotoUpload(BaseModel):
    """multipart/form-data body of a photo upload (the view reads the form; this documents it)."""

    photo: bytes = Field(description="the image file: JPEG, PNG or WebP, at most photo_max_bytes")
    stage: Literal["before", "after"] = Field("before", description="before (上报) or after (处置完成)")
