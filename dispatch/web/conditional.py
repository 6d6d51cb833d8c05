"""Conditional GET for the polled JSON feeds (/cockpit/feed.json, /desk/queues.json).

`json_with_etag(body)` serializes the body once, as `jsonify` would, and answers with a strong `ETag` —
a hash of those exact bytes, so it changes whenever anything in the body changes (the zone filter, the
department, the signed-in user's view, the time) — and `Cache-Control: private, no-cache`: the browser
keeps the body for this user only and must revalidate before every use, so it never shows stale data.
When the request's `If-None-Match` names that ETag the answer is `304 Not Modified` with no body.
`json_with_known_etag(etag, load)` does the same for a body whose version is known before it is read: the 304
costs nothing but that comparison.
"""
from __future__ import annotations

import hashlib
from typing import Callable

from flask import Response, current_app, request

from dispatch import clock

CACHE_CONTROL = "private, no-cache"
SERVER_TIME = "X-Server-Time"


def json_with_known_etag(etag: str, load: Callable[[], object]) -> Response:
    """304 when If-None-Match names `etag` — `load` is never called — else `load()` as JSON (200) with that ETag.

    For a body whose version is known before it is built or read (the cockpit's shared snapshot)."""
    if request.if_none_match.contains_weak(etag):  # a gzipped answer's ETag came back weak (dispatch.compression)
        response = current_app.response_class(status=304)
    else:
        response = current_app.json.response(load())
    response.set_etag(etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers[SERVER_TIME] = clock.now().isoformat()
    return response


def json_with_etag(body) -> Response:
    """`body` as JSON (200) with a strong ETag of the exact bytes, or 304 when If-None-Match has it."""
    response = current_app.json.response(body)
    data = response.get_data()
    response.set_etag(hashlib.sha256(data).hexdigest()[:32])
    response.headers["Cache-Control"] = CACHE_CONTROL
    # the app's clock (not the body): the page's "更新于" and clock; a 304 carries it too
    response.headers[SERVER_TIME] = clock.now().isoformat()
    # make_conditional turns a 200 whose ETag the request names (If-None-Match) into a 304 with no body.
    return response.make_conditional(request)
