"""gzip for the app's JSON/HTML answers and static scripts: smaller on the wire, the same body once decoded,
304s unharmed; photos untouched."""
from __future__ import annotations

import gzip
import io

from tests.dispatch.helpers import PNG, local
from tests.dispatch.web.helpers import report

GZIP = {"Accept-Encoding": "gzip, deflate"}


def test_the_zones_come_gzipped_to_a_client_that_accepts_it(client):
    plain = client.get("/api/v1/zones")
    packed = client.get("/api/v1/zones", headers=GZIP)
    assert "Content-Encoding" not in plain.headers  # a client that did not ask gets plain bytes
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2


def test_small_answers_and_errors_stay_plain(client):
    assert "Content-Encoding" not in client.get("/healthz", headers=GZIP).headers  # a few bytes
    missing = client.get("/api/v1/tickets/999", headers={**GZIP, "Authorization": "Bearer nobody"})
    assert missing.status_code == 401 and "Content-Encoding" not in missing.headers
    assert missing.get_json()["error"]["code"] == "unauthorized"


def test_a_gzipped_feed_still_answers_304_when_nothing_changed(client, users, clock):
    # The cockpit polls every few seconds: gzip makes the ETag weak, and a weak If-None-Match still matches.
    for _ in range(20):
        report(client, users)
    clock.set(local(2026, 11, 25, 10, 1))
    first = client.get("/cockpit/feed.json", headers={**users["command"], **GZIP})
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "gzip"
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = client.get("/cockpit/feed.json", headers={**users["command"], **GZIP, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_static_scripts_come_gzipped_and_still_revalidate(client):
    # /m/'s ECharts build is ~0.4 MB: the first load of /m/ on a phone's mobile data is mostly this file.
    path = "/static/vendor/echarts/echarts-map.min.js"
    plain = client.get(path)
    packed = client.get(path, headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2
    again = client.get(path, headers={**GZIP, "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    part = client.get(path, headers={**GZIP, "Range": "bytes=0-99"})  # a range is of the file as it is
    assert part.status_code == 206 and "Content-Encoding" not in part.headers and part.data == plain.data[:100]


def test_photos_are_sent_as_they_are(client, users):
    ticket = report(client, users)
    photo = PNG
    client.post(f"/api/v1/tickets/{ticket['id']}/photos", headers=users["command"],
                data={"stage": "before", "photo": (io.BytesIO(photo), "a.png")})
    detail = client.get(f"/api/v1/tickets/{ticket['id']}", headers=users["command"]).get_json()["ticket"]
    got = client.get(detail["photos"][0]["url"], headers={**users["command"], **GZIP})  # the stamped copy
    assert got.status_code == 200 and "Content-Encoding" not in got.headers
    assert got.data.startswith(b"\x89PNG") or got.data.startswith(b"\xff\xd8")  # a picture, not gzip
    original = client.get(detail["photos"][0]["url"] + "?original=1", headers={**users["command"], **GZIP})
    assert original.status_code == 200 and "Content-Encoding" not in original.headers and original.data == photo
