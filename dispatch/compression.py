"""gzip for the app's own answers (JSON, GeoJSON, XML, HTML, CSV) when the client accepts it.

The cockpit polls a feed of every open ticket (227 KB of JSON at 1,148 open tickets, 32 KB gzipped)
and a page asks for the zones' GeoJSON on every load; over a street office's network that is most of
the traffic. `python run.py` serves with waitress, which compresses nothing, so the app
does it (behind nginx, `gzip off` for these paths or leave it: an answer already encoded is left alone).

Only whole, successful bodies over MIN_SIZE are compressed; static files and photos stream from disk
(direct passthrough) and are left as they are. A strong ETag becomes weak (`W/"…"`): the bytes differ
by encoding, the content does not, and If-None-Match compares weakly — so a compressed feed still
answers 304 when nothing changed.
"""
from __future__ import annotations

import gzip

from flask import Flask, Response, request

MIN_SIZE = 1024  # below this the gzip header and the CPU cost more than they save
LEVEL = 6
COMPRESSIBLE = frozenset({"application/json", "application/geo+json", "application/xml", "text/xml",
                          "text/html", "text/csv", "text/plain"})


def _wants_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def compress(response: Response) -> Response:
    """`response` gzipped when it is worth it and the client accepts it; Vary: Accept-Encoding either way."""
    if response.mimetype not in COMPRESSIBLE:
        return response
    response.vary.add("Accept-Encoding")
    if (response.direct_passthrough or response.is_streamed or not 200 <= response.status_code < 300 or response.status_code == 204
            or "Content-Encoding" in response.headers or request.method == "HEAD" or not _wants_gzip()):
        return response
    data = response.get_data()
    if len(data) < MIN_SIZE:
        return response
    response.set_data(gzip.compress(data, compresslevel=LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)
    return response


def init_app(app: Flask) -> None:
    app.after_request(compress)
