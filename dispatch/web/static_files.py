"""Static files under versioned URLs, kept by the browser until they change.

`url_for("static", filename=...)` adds `?v=<hash of the file's bytes>` (12 hex digits of its SHA-256), so
every page's script and style URL names one version of the file. An answer to such a URL is sent with
`Cache-Control: public, max-age=31536000, immutable`: the browser (and /m/'s service worker, m_sw.js) keeps
it and never asks again — a deploy that changes a file changes its URL. Such an answer is never revalidated,
so it goes without ETag, Last-Modified, Accept-Ranges and Content-Disposition (~160 bytes of headers on each
of the ~25 files of a first load). A URL without `v`, or with another
file's `v` (a page from before the deploy), gets the file with Flask's `no-cache` as before.

Answers of the static endpoint carry no session cookie either (web.__init__'s session interface): a
script or a style knows nothing of the user, and the cookie would add ~300 bytes to each of them.
"""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

VERSION_ARG = "v"
FOREVER = "public, max-age=31536000, immutable"
UNNEEDED = ("ETag", "Last-Modified", "Accept-Ranges", "Content-Disposition")  # on an answer kept for a year


@lru_cache(maxsize=512)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    """The file's hash, once per version of the file (the key changes when it does)."""
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:12]


def file_version(static_folder: str, filename: str) -> str | None:
    """The version of static/`filename` (a short hash of its bytes), None when there is no such file."""
    path = safe_join(static_folder, filename)
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _digest(path, stat.st_mtime_ns, stat.st_size) if os.path.isfile(path) else None


def _add_version(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values and VERSION_ARG not in values:
        version = file_version(current_app.static_folder, values["filename"])
        if version:
            values[VERSION_ARG] = version


def _keep_versioned(response: Response) -> Response:
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    asked = request.args.get(VERSION_ARG)
    filename = (request.view_args or {}).get("filename", "")
    if asked and asked == file_version(current_app.static_folder, filename):
        response.headers["Cache-Control"] = FOREVER
        for name in UNNEEDED:
            response.headers.pop(name, None)
    return response


def init_app(app: Flask) -> None:
    app.url_defaults(_add_version)
    app.after_request(_keep_versioned)
