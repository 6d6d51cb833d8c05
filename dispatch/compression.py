"""gzip for the app's own answers (JSON, GeoJSON, XML, HTML, CSV, /m/sw.js) when the client accepts it.

The cockpit polls a feed of every open ticket (227 KB of JSON at 1,148 open tickets, 32 KB gzipped)
and a page asks for the zones' GeoJSON on every load; over a street office's network that is most of
the traffic. `python run.py` serves with waitress, which compresses nothing, so the app
does it (behind nginx, `gzip off` for these paths or leave it: an answer already encoded is left alone).

Only whole, successful bodies over MIN_SIZE are compressed. Static scripts and styles (/m/'s ECharts build
is 0.4 MB, 134 KB gzipped — most of the first load of /m/ on a phone's mobile data) are compressed once per
file version and kept in memory; photos stream from disk as they are. A strong ETag becomes weak (`W/"…"`):
the bytes differ by encoding, the content does not, and If-None-Match compares weakly — so a compressed
answer still turns into a 304 when nothing changed.
"""
from __future__ import annotations

import gzip
import os
from functools import lru_cache

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

MIN_SIZE = 1024  # below this the gzip header and the CPU cost more than they save
LEVEL = 6
COMPRESSIBLE = frozenset({"application/json", "application/geo+json", "application/xml", "text/xml",
                          "text/html", "text/csv", "text/plain", "application/javascript", "text/javascript"})
STATIC_COMPRESSIBLE = frozenset({"text/javascript", "application/javascript", "text/css", "image/svg+xml",
                                 "application/json", "image/x-icon", "image/vnd.microsoft.icon"})


def _wants_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


@lru_cache(maxsize=64)
def _gzipped_file(path: str, mtime_ns: int, size: int) -> bytes:
    """The file's bytes gzipped, once per version of the file (the key changes when it does)."""
    with open(path, "rb") as f:
        return gzip.compress(f.read(), compresslevel=9, mtime=0)


def _compress_static(response: Response) -> Response:
    """A whole static file (200, not a range) gzipped from the in-memory copy."""
    response.vary.add("Accept-Encoding")
    if response.status_code != 200 or request.method == "HEAD" or not _wants_gzip():
        return response
    path = safe_join(current_app.static_folder, (request.view_args or {}).get("filename", ""))
    if path is None or not os.path.isfile(path):
        return response
    stat = os.stat(path)
    if stat.st_size < MIN_SIZE:
        return response
    response.close()  # the file the original answer opened
    response.direct_passthrough = False
    return _gzipped(response, _gzipped_file(path, stat.st_mtime_ns, stat.st_size))


def _gzipped(response: Response, body: bytes) -> Response:
    """`response` carrying the gzipped `body`; a strong ETag turns weak (same content, other bytes)."""
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)
    return response


def compress(response: Response) -> Response:
    """`response` gzipped when it is worth it and the client accepts it; Vary: Accept-Encoding either way."""
    if request.endpoint == "static" and response.mimetype in STATIC_COMPRESSIBLE:
        return _compress_static(response)
    if response.mimetype not in COMPRESSIBLE:
        return response
    response.vary.add("Accept-Encoding")
    if (response.direct_passthrough or response.is_streamed or not 200 <= response.status_code < 300
            or response.status_code == 204 or "Content-Encoding" in response.headers or request.method == "HEAD"
            or not _wants_gzip()):
        return response
    data = response.get_data()
    if len(data) < MIN_SIZE:
        return response
    return _gzipped(response, gzip.compress(data, compresslevel=LEVEL, mtime=0))


def init_app(app: Flask) -> None:
    app.after_request(compress)
