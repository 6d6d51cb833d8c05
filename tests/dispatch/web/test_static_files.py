"""Static files under versioned URLs (web/static_files.py): a page names each file's version, the browser keeps
that answer for a year and never asks again; a changed file gets a new URL."""
from __future__ import annotations

import gzip
import hashlib
import re

import pytest

from dispatch.web.static_files import FOREVER, file_version
from tests.dispatch.web.helpers import sign_in

GZIP = {"Accept-Encoding": "gzip"}


def scripts_of(page: str) -> list[str]:
    return re.findall(r'<script src="(/static/[^"]+)"', page)


def test_a_page_names_each_file_by_the_hash_of_its_bytes(app, client):
    scripts = scripts_of(client.get("/login").get_data(as_text=True))
    with open(f"{app.static_folder}/js/dom.js", "rb") as f:
        assert "/static/js/dom.js?v=" + hashlib.sha256(f.read()).hexdigest()[:12] in scripts
    assert all(re.fullmatch(r"/static/[\w/.-]+\?v=[0-9a-f]{12}", s) for s in scripts), scripts


def test_a_versioned_answer_is_kept_a_year_without_validators_or_cookie(client, user_with_password):
    user_with_password("wang", "inspector", zone="xiangyi")
    assert sign_in(client, "wang").status_code == 302
    page = client.get("/m/").get_data(as_text=True)
    echarts = next(s for s in scripts_of(page) if "/vendor/echarts/" in s)
    answer = client.get(echarts, headers=GZIP)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == FOREVER
    assert answer.headers["Content-Encoding"] == "gzip"  # still compressed
    for header in ("ETag", "Last-Modified", "Set-Cookie", "Content-Disposition"):
        assert header not in answer.headers, header
    assert "Set-Cookie" in client.get("/api/v1/tickets?mine=1").headers  # the API still refreshes the session
    assert len(answer.data) < len(gzip.decompress(answer.data)) / 2


@pytest.mark.parametrize("query", ["", "?v=000000000000"], ids=["no version", "another version"])
def test_other_urls_of_the_file_are_revalidated_as_before(client, query):
    answer = client.get("/static/js/dom.js" + query)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-cache"
    assert answer.headers["ETag"]
    again = client.get("/static/js/dom.js" + query, headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304


def test_a_changed_file_gets_a_new_url(tmp_path):
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "a.js").write_text("one();\n", encoding="utf-8")
    before = file_version(str(folder), "a.js")
    (folder / "a.js").write_text("three();\n", encoding="utf-8")
    after = file_version(str(folder), "a.js")
    assert before and after and before != after
    assert file_version(str(folder), "missing.js") is None
    assert file_version(str(folder), "../a.js") is None  # outside the folder: no version, no URL change
