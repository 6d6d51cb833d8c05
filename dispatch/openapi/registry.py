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

One status may answer several media types, and a file's bytes have no model (no schema):

>>> doc = build([Operation("GET", "/logo", "Logo", tag="demo", auth=False, responses={200: (
...     Reply(None, "The logo", media_type="image/png"), Reply(None, "The logo", media_type="image/webp"))})],
...     title="t", version="1")
>>> doc["paths"]["/logo"]["get"]["responses"]["200"]["content"]
{'image/png': {}, 'image/webp': {}}

Query parameters are generated from the pydantic model that validates them:

>>> from pydantic import Field
>>> class Page(BaseModel):
...     limit: int = Field(50, ge=1, description="at most this many")
...     sort: Literal["new", "old"] | None = None
>>> [p.document() for p in query_params(Page, sort={"description": "the order"})]  # doctest: +NORMALIZE_WHITESPACE
[{'name': 'limit', 'in': 'query', 'required': False,
  'schema': {'default': 50, 'minimum': 1, 'type': 'integer'}, 'description': 'at most this many',
  'allowEmptyValue': True},
 {'name': 'sort', 'in': 'query', 'required': False,
  'schema': {'enum': ['new', 'old'], 'type': 'string'}, 'description': 'the order', 'allowEmptyValue': True}]
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
    empty_is_absent: bool = False  # a query parameter sent empty (`created_to=`, an HTML form's blank field)

    def document(self) -> dict:
        doc = {"name": self.name, "in": self.where, "required": self.required or self.where == "path",
               "schema": self.schema}
        if self.description:
            doc["description"] = self.description
        if self.empty_is_absent:
            doc["allowEmptyValue"] = True
        return doc


def query_params(model: type[BaseModel], **overrides: dict) -> tuple[Param, ...]:
    """One query Param per field of `model`, its schema from pydantic; `overrides` adds keys to one field's.

    An optional field's null branch is left out (a query parameter is absent, never null); an override
    may carry a "description" or narrow the schema (e.g. an enum of the street's zone codes). An
    optional parameter sent empty counts as absent (dispatch/query.py), so it says `allowEmptyValue`:
    `created_to=` is its default, not a date-time the schema refuses.
    """
    schema = model.model_json_schema(by_alias=True, ref_template=REF_TEMPLATE)
    if "$defs" in schema:
        raise ValueError(f"{model.__name__}: a query parameter must have a plain schema")
    required = set(schema.get("required", ()))
    params = []
    for name, field_schema in schema["properties"].items():
        field_schema = {k: v for k, v in field_schema.items() if k != "title"} | overrides.get(name, {})
        description = field_schema.pop("description", "")
        branches = [b for b in field_schema.get("anyOf", ()) if b != {"type": "null"}]
        if "anyOf" in field_schema and len(branches) == 1:
            field_schema = {k: v for k, v in field_schema.items() if k != "anyOf"} | branches[0]
        if "default" in field_schema and field_schema["default"] is None:
            del field_schema["default"]
        params.append(Param(name, "query", dict(sorted(field_schema.items())), description, name in required,
                            empty_is_absent=name not in required))
    return tuple(params)


@dataclass(frozen=True)
class Reply:
    """A response body: a model under a media type (a bare model means JSON), or, model None, a file's bytes."""

    model: type[BaseModel] | None
    description: str = ""
    media_type: str = "application/json"


@dataclass(frozen=True)
class Operation:
    """One /api/v1 route: what it takes, what it answers per status, whether it needs a Bearer token.

    A status answers one Reply, or a tuple of them: the same answer in several media types (JSON or a
    download). `errors` lists the 4xx statuses it may answer, all with the ErrorBody model; 401 is
    implied by `auth`.
    `body_media_type` is the request body's media type (JSON, or multipart/form-data for uploads).
    """

    method: str
    path: str
    summary: str
    tag: str
    responses: dict[int, type[BaseModel] | Reply | tuple[Reply, ...]]
    request: type[BaseModel] | None = None
    body_media_type: str = "application/json"
    params: tuple[Param, ...] = ()
    errors: tuple[int, ...] = ()
    auth: bool = True
    description: str = ""
    extra: dict = field(default_factory=dict)

    def replies(self, error_model: type[BaseModel] | None) -> dict[int, tuple[Reply, ...]]:
        replies = {status: r if isinstance(r, tuple) else (r if isinstance(r, Reply) else Reply(r),)
                   for status, r in self.responses.items()}
        if error_model is not None:
            for status in sorted({*self.errors, *((401,) if self.auth else ())}):
                replies.setdefault(status, (Reply(error_model, ERROR_TEXT.get(status, "Error")),))
        return replies


def _description(reply: Reply) -> str:
    if reply.description or reply.model is None:
        return reply.description or reply.media_type
    doc = (reply.model.__doc__ or "").strip().splitlines()
    return doc[0] if doc else reply.model.__name__


def build(operations: list[Operation], *, title: str, version: str, description: str = "",
          error_model: type[BaseModel] | None = None) -> dict:
    """The OpenAPI 3.1 document of these operations, components generated from their models."""
    wanted: dict[tuple[type[BaseModel], str], None] = {}
    for op in operations:
        if op.request is not None:
            wanted[(op.request, "validation")] = None
        for replies in op.replies(error_model).values():
            wanted.update(((r.model, "serialization"), None) for r in replies if r.model is not None)
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
            str(status): {"description": _description(replies[0]),
                          "content": {r.media_type: {"schema": refs[(r.model, "serialization")]} if r.model else {}
                                      for r in replies}}
            for status, replies in sorted(op.replies(error_model).items())}
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
