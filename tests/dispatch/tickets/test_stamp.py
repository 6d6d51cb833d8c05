"""水印: the served copy and thumbnail of a photo carry the ticket's number, times and place; the original does not."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from dispatch.tickets import stamp
from tests.browser.helpers import copy_to_docs
from tests.dispatch.lifecycle import get, ticket_in, upload

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"
STAMP = stamp.Stamp(number="YC-20261204-0001", stage="after", reported="2026-12-04 10:15",
                    uploaded="2026-12-04 11:02", address="宜川路 300 号", lng=121.4288, lat=31.2551)


def scene(size=(640, 400), colour=(40, 150, 90), fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


def white_pixels(image: Image.Image, box) -> int:
    region = image.convert("RGB").crop(box)
    return sum(1 for x in range(region.width) for y in range(region.height) if min(region.getpixel((x, y))) > 200)


def test_the_served_copy_has_the_stamp_along_its_bottom_and_the_original_none(app, street):
    ticket = ticket_in(street, "in_progress")
    photo = upload(street, street.sanitation, ticket["id"], data=scene(), filename="a.png").get_json()["photo"]
    served = Image.open(io.BytesIO(street.client.get(photo["url"], headers=street.sanitation).data)).convert("RGB")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    served.save(ARTIFACTS / "photo-stamp-served.png")
    assert served.size == (640, 400)
    assert served.getpixel((320, 20)) == (40, 150, 90)  # the picture above the band untouched (PNG: lossless)
    band = served.getpixel((630, 395))
    assert sum(band) < sum((40, 150, 90)) / 2  # the dark band along the bottom
    assert white_pixels(served, (0, 300, 640, 400)) > 200  # with text on it
    original = Image.open(io.BytesIO(street.client.get(photo["url"] + "?original=1", headers=street.command).data))
    assert white_pixels(original, (0, 300, 640, 400)) == 0
    thumb = Image.open(io.BytesIO(street.client.get(photo["thumb_url"], headers=street.sanitation).data))
    assert white_pixels(thumb, (0, thumb.height * 3 // 4, thumb.width, thumb.height)) > 50  # stamped too


def test_each_ticket_gets_its_own_stamp_on_the_same_bytes(street):
    # a duplicate report's photo joins the original ticket: the same file, stamped with each ticket's number
    dup = ticket_in(street, "duplicate")
    upload(street, street.inspector, dup["id"], data=scene(), filename="a.png", stage="before", expect=201)
    mine = get(street, dup["id"])["photos"][0]
    theirs = get(street, dup["duplicate_of"], street.sanitation)["photos"][0]
    assert mine["sha256"] == theirs["sha256"]
    first = street.client.get(mine["url"], headers=street.command).data
    second = street.client.get(theirs["url"], headers=street.command).data
    assert first != second


def test_the_stamp_says_number_stage_times_and_place_in_chinese():
    assert STAMP.lines(chinese=True) == ["YC-20261204-0001 · 处置后照片", "上报时间 2026-12-04 10:15 · 上传 2026-12-04 11:02",
                                         "宜川路 300 号 · 121.42880, 31.25510"]
    nowhere = stamp.Stamp(number="YC-1", stage="before", reported="r", uploaded="u")
    assert nowhere.lines(chinese=True)[2] == "位置未知"


@pytest.mark.skipif(stamp.cjk_font_path() is None, reason="no CJK font here (fonts-noto-cjk)")
def test_chinese_is_drawn_with_the_systems_cjk_font():
    picture = Image.new("RGB", (640, 400), (200, 210, 220))
    for x in range(0, 640, 64):
        picture.paste((70, 120, 170), (x, 0, x + 32, 300))
    chinese = stamp.apply(picture, STAMP)
    ascii_only = stamp.apply(picture, STAMP, font_path="")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    chinese.save(ARTIFACTS / "photo-stamp-cjk.png")
    copy_to_docs(ARTIFACTS / "photo-stamp-cjk.png", "photo-stamp.png")
    assert chinese.tobytes() != ascii_only.tobytes()
    assert white_pixels(chinese, (0, 300, 640, 400)) > 200


def test_without_a_cjk_font_the_stamp_falls_back_to_what_ascii_can_say(app, street, monkeypatch):
    monkeypatch.setattr(stamp, "cjk_font_path", lambda: None)
    assert STAMP.lines(chinese=False) == ["YC-20261204-0001 after", "reported 2026-12-04 10:15 uploaded 2026-12-04 11:02",
                                          "121.42880, 31.25510"]
    ticket = ticket_in(street, "in_progress")
    photo = upload(street, street.sanitation, ticket["id"], data=scene(), filename="a.png").get_json()["photo"]
    response = street.client.get(photo["url"], headers=street.sanitation)
    assert response.status_code == 200
    assert white_pixels(Image.open(io.BytesIO(response.data)), (0, 300, 640, 400)) > 100


@pytest.mark.parametrize("size", [(16, 12), (30, 600), (4000, 3000)])
def test_any_picture_size_takes_a_stamp(size):
    stamped = stamp.apply(Image.new("RGB", size, (90, 90, 90)), STAMP)
    assert stamped.size == size and stamped.mode == "RGB"
