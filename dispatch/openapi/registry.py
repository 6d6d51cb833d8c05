"""Operations declared once (method, path, models, params, security) and the OpenAPI 3.1 document built from them.

Schemas come from the pydantic models themselves (`models_json_schema`), request bodies in validation
mode and responses in serialization mode, so the document says what the code validates and returns.

>>> from pydantic import BaseModel
>>> class Pong(BaseModel):
...     ok: bool
>>> doc = build([Operation("GET", "/ping", "Ping", tag="demo", auth=False, responses={200: Pong})],
...             title="t", version="1")
>>> doc["paths"]["/ping"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
{'$ref': '#/components/schemas/Pong'}
>>> doc["components"]["schemas"]["Pong"]["required"]
['ok']
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

REF_TEMPLATE = "#/components/schemas/{model}"
ERROR_TEXT = {
    400: "Malformed request (bad JSON, bad filter or header)",
    401: "No or invalid Bearer token",
    403: "Your role may not do this",
    404: "No such resource (or not visible to you)",
    409: "Conflict with the ticket's current state or version",
    413: "Body too large",
    415: "Unsupported media type",
    422: "Well-formed but invalid (field errors in `details`)",
}


@dataclass(frozen=True)
class Param:
    """A query, path or header parameter with its JSON Schema."""

    name: str
    where: Literal["query", "path", "header"]
    schema: dict
    description: str = ""
    required: bool = False

    def document(self) -> dict:
        doc = {"name": self.name, "in": self.where, "required": self.required or self.where == "path",
               "schema": self.schema}
        if self.description:
            doc["description"] = self.description
        return doc


@dataclass(frozen=True)
class Reply:
    """A response body: a model under a media type (for the shorthand, a bare model means JSON)."""

    model: type[BaseModel]
    description: str = ""
    media_type: str = "application/json"


@dataclass(frozen=True)
class Operation:
    """One /api/v1 route: what it takes, what it answers per status, whether it needs a Bearer token.

    `errors` lists the 4xx statuses it may answer, all with the ErrorBody model; 401 is implied by `auth`.
    `body_media_type` is the request body's media type (JSON, or multipart/form-data for uploads).
    """

    method: str
    path: str
    summary: str
    tag: str
    responses: dict[int, type[BaseModel] | Reply]
    request: type[BaseModel] | None = None
    body_media_type: str = "application/json"
    params: tuple[Param, ...] = ()
    errors: tuple[int, ...] = ()
    auth: bool = True
    description: str = ""
    extra: dict = field(default_factory=dict)

    def replies(self, error_model: type[BaseModel] | None) -> dict[int, Reply]:
        replies = {status: r if isinstance(r, Reply) else Reply(r) for status, r in self.responses.items()}
        if error_model is not None:
            for status in sorted({*self.errors, *((401,) if self.auth else ())}):
                replies.setdefault(status, Reply(error_model, ERROR_TEXT.get(status, "Error")))
        return replies


def _description(reply: Reply) -> str:
    doc = (reply.model.__doc__ or "").strip().splitlines()
    return reply.description or (doc[0] if doc else reply.model.__name__)


def build(operations: list[Operation], *, title: str, version: str, description: str = "",
          error_model: type[BaseModel] | None = None) -> dict:
    """The OpenAPI 3.1 document of these operations, components generated from their models."""
    wanted: dict[tuple[type[BaseModel], str], None] = {}
    for op in operations:
        if op.request is not None:
            wanted[(op.request, "validation")] = None
        for reply in op.replies(error_model).values():
            wanted[(reply.model, "serialization")] = None
    refs, definitions = models_json_schema(list(wanted), ref_template=REF_TEMPLATE)
    paths: dict[str, dict] = {}
    for op in operations:
        entry = {"summary": op.summary, "operationId": _operation_id(op), "tags": [op.tag]}
        if op.description:
            entry["description"] = op.description
        if op.params:
            entry["parameters"] = [p.document() for p in op.params]
        if op.request is not None:
            entry["requestBody"] = {"required": True, "content": {
                op.body_media_type: {"schema": refs[(op.request, "validation")]}}}
        entry["responses"] = {
            str(status): {"description": _description(reply),
                          "content": {reply.media_type: {"schema": refs[(reply.model, "serialization")]}}}
            for status, reply in sorted(op.replies(error_model).items())}
        entry["security"] = [{"bearerAuth": []}] if op.auth else []
        entry.update(op.extra)
        paths.setdefault(op.path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, **({"description": description} if description else {})},
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "API token: python run.py users add NAME --role …"}},
        },
    }


def _operation_id(op: Operation) -> str:
    words = [w.strip("{}") for w in op.path.strip("/").split("/") if w not in ("api", "v1")]
    return op.method.lower() + "_" + "_".join(words).replace("-", "_").replace(".", "_")
