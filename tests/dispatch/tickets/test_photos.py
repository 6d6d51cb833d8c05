"""Photos: type from the content, size limit, who may add them, content-addressed storage, the timeline."""
from __future__ import annotations

import hashlib
import io
import struct
import threading
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageOps

from tests.dispatch.helpers import GIF, JPEG, PNG, WEBP
from tests.dispatch.lifecycle import act, get, new_report, ticket_in, upload

MAX_BYTES = 8192  # photo_max_bytes in this module's copy of config/intake.toml
MAX_PIXELS = 640 * 400  # photo_max_pixels there


@pytest.fixture
def config_dir(config_dir):
    """The conftest copy of config/, with small photo size limits."""
    intake = config_dir / "intake.toml"
    text = intake.read_text(encoding="utf-8")
    assert "photo_max_bytes = 10485760" in text and "photo_max_pixels = 40000000" in text
    text = text.replace("photo_max_bytes = 10485760", f"photo_max_bytes = {MAX_BYTES}")
    intake.write_text(text.replace("photo_max_pixels = 40000000", f"photo_max_pixels = {MAX_PIXELS}"),
                      encoding="utf-8")
    return config_dir


def chunk(kind: bytes, data: bytes) -> bytes:
    """A PNG chunk with its CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A structurally intact PNG (every CRC right, IEND) whose header claims width × height pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def jpeg_with_gps(size: tuple[int, int] = (640, 400)) -> bytes:
    """A phone-like JPEG whose EXIF holds where it was taken (宜川路, 31°15′N 121°25′E)."""
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (31.0, 15.0, 18.6), 3: "E", 4: (121.0, 25.0, 46.0)}  # the GPS IFD
    out = io.BytesIO()
    Image.new("RGB", size, (0, 160, 60)).save(out, "JPEG", quality=30, exif=exif.tobytes())
    return out.getvalue()


def stored_files(app) -> list[Path]:
    """Every file under VAR_DIR/photos (photos and any leftover temporary file)."""
    root = Path(app.config["VAR_DIR"]) / "photos"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


ACCEPTED = [
    # (bytes, filename sent, content type stored, why)
    (PNG, "photo.png", "image/png", "a PNG named as one"),
    (JPEG, "IMG_0001.JPG", "image/jpeg", "a JPEG from a phone"),
    (WEBP, "shot.webp", "image/webp", "a WebP"),
    (PNG, "photo.jpg", "image/png", "a PNG named .jpg: the content decides"),
    (JPEG, "photo.png", "image/jpeg", "a JPEG named .png"),
    (WEBP, "photo", "image/webp", "no extension at all"),
    (JPEG, "现场.gif", "image/jpeg", "a JPEG named .gif, Chinese filename"),
    (PNG + b"\x00" * (MAX_BYTES - len(PNG)), "big.png", "image/png", "exactly at the size limit"),
]


@pytest.mark.parametrize(("data", "filename", "content_type", "why"), ACCEPTED, ids=[c[3] for c in ACCEPTED])
def test_images_are_accepted_by_content(app, street, data, filename, content_type, why):
    tid = ticket_in(street, "in_progress")["id"]
    body = upload(street, street.sanitation, tid, data=data, filename=filename, stage="before").get_json()
    photo = body["photo"]
    assert (photo["content_type"], photo["size"], photo["stage"]) == (content_type, len(data), "before"), why
    assert photo["sha256"] == hashlib.sha256(data).hexdigest()
    response = street.client.get(photo["url"], headers=street.sanitation)
    assert response.status_code == 200 and response.mimetype == content_type  # the stamped copy, same format
    original = street.client.get(photo["url"] + "?original=1", headers=street.command)
    assert original.data == data and original.mimetype == content_type


REFUSED = [
    # (bytes, filename, form stage, HTTP status, error code, why)
    (GIF, "photo.jpg", "after", 415, "unsupported_media_type", "a GIF renamed .jpg"),
    (b"just some text\n", "photo.jpg", "after", 415, "unsupported_media_type", "a text file renamed .jpg"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.png", "after", 415, "unsupported_media_type", "SVG"),
    (b"RIFF\x00\x00\x00\x00WAVEfmt ", "x.webp", "after", 415, "unsupported_media_type", "a RIFF that is not WebP"),
    (b"\xff\xd8", "x.jpg", "after", 415, "unsupported_media_type", "a truncated JPEG marker"),
    (PNG + b"\x00" * (MAX_BYTES + 1 - len(PNG)), "big.png", "after", 413, "payload_too_large",
     "one byte over photo_max_bytes"),
    (JPEG * 50, "huge.jpg", "after", 413, "payload_too_large", "far over the limit"),
    (b"", "empty.jpg", "after", 422, "validation_error", "an empty file"),
    (PNG, "photo.png", "during", 422, "validation_error", "an unknown stage"),
    (PNG, "photo.png", "", 422, "validation_error", "an empty stage"),
]


@pytest.mark.parametrize(("data", "filename", "stage", "status", "code", "why"), REFUSED,
                         ids=[c[5] for c in REFUSED])
def test_refused_uploads_are_json_and_store_nothing(app, street, data, filename, stage, status, code, why):
    ticket = ticket_in(street, "in_progress")
    response = upload(street, street.sanitation, ticket["id"], data=data, filename=filename, stage=stage,
                      expect=status)
    assert response.is_json, why
    assert response.get_json()["error"]["code"] == code
    assert get(street, ticket["id"]) == ticket  # no photo, no timeline entry
    assert stored_files(app) == []


REQUEST_SHAPES = [
    # (how the request is made, HTTP status, why)
    (lambda t: {"json": {"photo": "aGVsbG8="}}, 415, "JSON instead of multipart"),
    (lambda t: {"data": PNG, "content_type": "image/png"}, 415, "the raw image as the body"),
    (lambda t: {"data": {"stage": "after"}, "content_type": "multipart/form-data"}, 422, "multipart without `photo`"),
    (lambda t: {"data": {"picture": (io.BytesIO(PNG), "p.png"), "stage": "after"},
                "content_type": "multipart/form-data"}, 422, "the file under another field name"),
    (lambda t: {"data": {"photo": "not a file", "stage": "after"}, "content_type": "multipart/form-data"}, 422,
     "`photo` as a text field"),
    (lambda t: {"data": b"x" * (MAX_BYTES + 2 * 1024 * 1024), "content_type": "multipart/form-data; boundary=x"},
     413, "a body beyond the request limit"),
]


@pytest.mark.parametrize(("request_kwargs", "status", "why"), REQUEST_SHAPES, ids=[c[2] for c in REQUEST_SHAPES])
def test_malformed_upload_requests(app, street, request_kwargs, status, why):
    ticket = ticket_in(street, "in_progress")
    response = street.client.post(f"/api/v1/tickets/{ticket['id']}/photos", headers=street.sanitation,
                                  **request_kwargs(ticket))
    assert response.status_code == status, (why, response.data[:300])
    assert response.is_json and response.get_json()["error"]["code"]
    assert get(street, ticket["id"]) == ticket
    assert stored_files(app) == []


WHO_MAY_UPLOAD = [
    # (who, HTTP status, why)
    ("sanitation", 201, "the ticket's department"),
    ("command", 201, "the command center"),
    ("inspector", 201, "an inspector of the ticket's zone (and its reporter)"),
    ("inspector2", 201, "another inspector of the same zone"),
    ("chengguan", 404, "another department: cannot see the ticket, so it is not revealed"),
    ("inspector_jiaoxi", 404, "an inspector of another zone"),
]


@pytest.mark.parametrize(("who", "status", "why"), WHO_MAY_UPLOAD, ids=[c[2] for c in WHO_MAY_UPLOAD])
def test_who_may_add_photos(street, who, status, why):
    ticket = ticket_in(street, "dispatched")
    response = upload(street, getattr(street, who), ticket["id"], expect=status)
    assert response.is_json, why
    if status != 201:
        assert get(street, ticket["id"]) == ticket


def test_upload_needs_a_user(street):
    tid = ticket_in(street, "dispatched")["id"]
    response = street.client.post(f"/api/v1/tickets/{tid}/photos", data={"photo": (io.BytesIO(PNG), "p.png")},
                                  content_type="multipart/form-data")
    assert response.status_code == 401 and response.is_json


def test_same_bytes_are_stored_once_but_recorded_twice(app, street, clock):
    picture = jpeg_with_gps()  # 640 × 400: room for each stamp's text
    first = ticket_in(street, "in_progress")["id"]
    other = ticket_in(street, "in_progress")["id"]
    one = upload(street, street.sanitation, first, data=picture, stage="before", filename="a.jpg").get_json()["photo"]
    two = upload(street, street.sanitation, first, data=picture, stage="after", filename="b.jpg").get_json()["photo"]
    three = upload(street, street.sanitation, other, data=picture, filename="c.jpg").get_json()["photo"]
    digest = hashlib.sha256(picture).hexdigest()
    assert one["sha256"] == two["sha256"] == three["sha256"] == digest
    assert len({one["id"], two["id"], three["id"]}) == 3
    # one file on disk, at var/photos/<first two hex digits>/<sha256>, no temporary files left over
    var = Path(app.config["VAR_DIR"])
    assert stored_files(app) == [var / "photos" / digest[:2] / digest]
    assert (var / "photos" / digest[:2] / digest).read_bytes() == picture
    ticket = get(street, first)
    assert [(p["stage"], p["sha256"]) for p in ticket["photos"]] == [("before", digest), ("after", digest)]
    photo_entries = [e for e in ticket["timeline"] if e["action"] == "photo"]
    assert [e["data"]["stage"] for e in photo_entries] == ["before", "after"]
    # each record answers with the bytes as uploaded, and with its own stamped copy (ticket, 处置前/后)
    served = set()
    for photo in (one, two, three):
        assert street.client.get(photo["url"] + "?original=1", headers=street.command).data == picture
        response = street.client.get(photo["url"], headers=street.command)
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        served.add(response.data)
    assert len(served) == 3


def test_timeline_records_the_photo(street):
    ticket = ticket_in(street, "in_progress")
    body = upload(street, street.sanitation, ticket["id"], data=PNG, stage="after").get_json()
    after = get(street, ticket["id"])
    assert after["timeline"][:-1] == ticket["timeline"]
    entry = after["timeline"][-1]
    assert (entry["action"], entry["actor"], entry["actor_role"]) == ("photo", "sanitation1", "department")
    assert entry["from_status"] == entry["to_status"] == "in_progress"
    assert entry["note"] == "处置后照片"
    assert entry["data"] == {"photo": body["photo"]["id"], "stage": "after", "sha256": body["photo"]["sha256"]}
    assert after["photos"] == [body["photo"]]
    assert after["status"] == "in_progress"  # a photo is no transition


def test_get_photo_checks_ticket_and_visibility(street):
    ticket = ticket_in(street, "dispatched")
    other = ticket_in(street, "dispatched")
    photo = upload(street, street.sanitation, ticket["id"]).get_json()["photo"]
    cases = [
        # (path, who, HTTP status, why)
        (photo["url"], street.sanitation, 200, "the department"),
        (photo["url"], street.inspector, 200, "the zone's inspector"),
        (photo["url"], street.chengguan, 404, "another department"),
        (photo["url"], street.inspector_jiaoxi, 404, "an inspector of another zone"),
        (f"/api/v1/tickets/{other['id']}/photos/{photo['id']}", street.command, 404, "the photo of another ticket"),
        (f"/api/v1/tickets/{ticket['id']}/photos/9999", street.command, 404, "no such photo"),
    ]
    for path, headers, status, why in cases:
        response = street.client.get(path, headers=headers)
        assert response.status_code == status, why
        if status == 200:
            assert response.mimetype == "image/png"
        else:
            assert response.is_json, why


def test_missing_file_in_storage_is_404_json(app, street):
    ticket = ticket_in(street, "dispatched")
    photo = upload(street, street.sanitation, ticket["id"]).get_json()["photo"]
    for path in stored_files(app):
        path.unlink()
    response = street.client.get(photo["url"] + "?original=1", headers=street.command)
    assert response.status_code == 404 and response.is_json  # the record's file is gone
    for path in (Path(app.config["VAR_DIR"]) / "served").rglob("*"):
        path.unlink() if path.is_file() else None
    response = street.client.get(photo["url"], headers=street.command)
    assert response.status_code == 404 and response.is_json  # and nothing to make the served copy from


def test_two_uploads_of_the_same_bytes_at_once(app, street):
    # Two requests (threads of one process, as under waitress) store the same new file at the same time:
    # both succeed, one file is kept, no temporary file is left behind.
    tid = ticket_in(street, "in_progress")["id"]
    data = PNG + b"\x00" * 100
    barrier = threading.Barrier(2)
    results = []

    def send():
        client = app.test_client()
        barrier.wait(timeout=10)
        response = client.post(f"/api/v1/tickets/{tid}/photos", headers=street.sanitation,
                               data={"photo": (io.BytesIO(data), "p.png"), "stage": "after"},
                               content_type="multipart/form-data")
        results.append(response.status_code)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [201, 201]
    digest = hashlib.sha256(data).hexdigest()
    assert [p.name for p in stored_files(app)] == [digest]
    assert len(get(street, tid)["photos"]) == 2


@pytest.mark.parametrize("status", ["closed", "cancelled", "duplicate"])
def test_a_finished_record_takes_no_more_photos(street, status):
    ticket = ticket_in(street, status)
    before = len(get(street, ticket["id"])["photos"])
    response = upload(street, street.command, ticket["id"], expect=409)
    assert response.get_json()["error"] == {"code": "ticket_ended", "status": status,
                                            "message": f"the ticket is {status}: its record takes no more photos"}
    assert len(get(street, ticket["id"])["photos"]) == before


def test_a_duplicate_reports_photo_is_kept_and_reaches_the_open_original(street):
    # Two inspectors report the same pile; the second report becomes a duplicate before its photo goes up
    # (the phone sends the report, then the photo). The photo is its reporter's evidence: kept on the
    # duplicate, and a copy joins the original, which sanitation is handling.
    dup = ticket_in(street, "duplicate")
    assert dup["status"] == "duplicate"
    original_id = dup["duplicate_of"]
    reporter = street.inspector  # ticket_in reports as this inspector
    upload(street, reporter, dup["id"], stage="before", expect=201)
    assert [p["stage"] for p in get(street, dup["id"])["photos"]] == ["before"]
    original = get(street, original_id, street.sanitation)
    assert [p["stage"] for p in original["photos"]] == ["before"]
    assert original["timeline"][-1]["note"] == f"处置前照片（来自重复上报 {dup['number']}）"
    shown = street.client.get(original["photos"][0]["url"], headers=street.sanitation)
    assert shown.status_code == 200 and shown.mimetype == "image/png"
    # only its own reporter, and only the report's photo: the record is otherwise ended
    upload(street, reporter, dup["id"], stage="after", expect=409)
    upload(street, street.inspector2, dup["id"], stage="before", expect=409)
    upload(street, street.command, dup["id"], stage="before", expect=409)


def test_a_duplicate_of_a_closed_ticket_keeps_its_photo_to_itself(street):
    dup = ticket_in(street, "duplicate")
    original_id = dup["duplicate_of"]
    act_path = f"/api/v1/tickets/{original_id}/actions"
    assert street.client.post(act_path, headers=street.command,
                              json={"action": "cancel", "reason": "误报"}).status_code == 200
    upload(street, street.inspector, dup["id"], stage="before", expect=201)
    assert get(street, original_id)["photos"] == []  # an ended record takes no more photos


@pytest.mark.parametrize("data, why", [
    (JPEG[:40], "a JPEG cut off before its end marker (interrupted upload)"),
    (PNG[:-6], "a PNG without its IEND chunk"),
    (PNG[:20] + b"\x07" + PNG[21:], "a PNG whose IHDR chunk fails its CRC (height byte changed)"),
    (b"\x89PNG\r\n\x1a\n" + b"junk" * 20, "a PNG signature followed by junk"),
    (WEBP[:-3], "a WebP shorter than its RIFF size"),
])
def test_damaged_photos_are_refused(street, data, why):
    ticket = ticket_in(street, "dispatched")
    response = upload(street, street.sanitation, ticket["id"], data=data, expect=422)
    assert response.get_json()["error"]["code"] == "corrupt_photo", why
    assert get(street, ticket["id"])["photos"] == []


# --- only real images are evidence ---------------------------------------------------------------------

@pytest.mark.parametrize("data, code, why", [
    (b"\xff\xd8\xff\x00\x00\xff\xd9", "corrupt_photo", "7 bytes: a JPEG's first and last markers, nothing between"),
    (b"RIFF\x04\x00\x00\x00WEBP", "corrupt_photo", "a 12-byte RIFF/WebP header and no image"),
    (png_claiming(100_000, 100_000), "photo_too_large", "a PNG header claiming 100000×100000 (a decompression bomb)"),
    (png_claiming(641, 400), "photo_too_large", "one column over photo_max_pixels"),
    (png_claiming(64, 48), "corrupt_photo", "an intact PNG whose pixel data is too short for its size"),
])
def test_what_does_not_decode_is_no_photo_and_no_evidence(app, street, data, code, why):
    tid = ticket_in(street, "in_progress")["id"]  # exposed_garbage: 处置完成 needs an after photo
    response = upload(street, street.sanitation, tid, data=data, stage="after", expect=422)
    assert response.get_json()["error"]["code"] == code, why
    assert stored_files(app) == [] and get(street, tid)["photos"] == []
    # so it does not satisfy "after photo required", for 处置完成 nor for 自行处置
    assert act(street, street.sanitation, tid, "resolve", expect=422)["error"]["code"] == "after_photo_required"
    other = ticket_in(street, "dispatched")["id"]
    upload(street, street.inspector, other, data=data, stage="after", expect=422)
    assert act(street, street.inspector, other, "self_resolve", expect=422)["error"]["code"] == "after_photo_required"


def test_a_photo_at_the_pixel_limit_is_accepted(street):
    tid = ticket_in(street, "in_progress")["id"]
    upload(street, street.sanitation, tid, data=jpeg_with_gps((640, 400)), filename="IMG.jpg", expect=201)


def test_the_pages_get_a_small_thumbnail_without_gps_and_the_record_keeps_the_original(app, street):
    original = jpeg_with_gps()
    tid = ticket_in(street, "in_progress")["id"]
    photo = upload(street, street.sanitation, tid, data=original, filename="IMG.jpg").get_json()["photo"]
    assert photo["thumb_url"] == f"{photo['url']}/thumbnail"
    thumb = street.client.get(photo["thumb_url"], headers=street.sanitation)
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    small = Image.open(io.BytesIO(thumb.data))
    assert max(small.size) <= 480 and len(thumb.data) < 40_000
    assert 0x8825 not in small.getexif()  # no GPS IFD (no EXIF at all)
    served = street.client.get(photo["url"], headers=street.sanitation)
    assert served.status_code == 200 and served.data != original
    assert Image.open(io.BytesIO(served.data)).getexif().get_ifd(0x8825) == {}  # the served copy: no GPS
    full = street.client.get(photo["url"] + "?original=1", headers=street.command)
    assert full.data == original  # the record: byte for byte, its EXIF (GPS included) kept
    assert Image.open(io.BytesIO(full.data)).getexif().get_ifd(0x8825)[1] == "N"
    # the thumbnail lives beside the photos, by convention: var/thumbnails/ab/<sha256>-<photo id>-s1.jpg — and
    # comes back when lost (a restore of var/photos alone)
    path = Path(app.config["VAR_DIR"]) / "thumbnails" / photo["sha256"][:2] / f"{photo['sha256']}-{photo['id']}-s1.jpg"
    assert path.read_bytes() == thumb.data
    path.unlink()
    assert street.client.get(photo["thumb_url"], headers=street.sanitation).data == thumb.data
    # and it is shown only to whoever may see the ticket
    assert street.client.get(photo["thumb_url"], headers=street.chengguan).status_code == 404


def test_photos_stay_out_of_shared_caches_and_homes_out_of_every_cache(street):
    # A proxy or CDN must never keep a photo fetched with a token; a 群租 photo (a category not shown
    # publicly: it shows someone's home) is not kept at all, not even in the browser's cache.
    street_tid = ticket_in(street, "in_progress")["id"]
    rental_tid = new_report(street, "group_rental")["id"]
    for tid, expected in ((street_tid, {"private", "max-age=3600"}), (rental_tid, {"private", "no-store"})):
        photo = upload(street, street.command, tid, stage="before").get_json()["photo"]
        for url in (photo["url"], photo["thumb_url"]):
            response = street.client.get(url, headers=street.command)
            assert response.status_code == 200
            assert set(response.headers["Cache-Control"].replace(" ", "").split(",")) == expected, url
            assert "Authorization" in response.headers["Vary"]


GPS = {1: "N", 2: (31.0, 15.0, 18.6), 3: "E", 4: (121.0, 25.0, 46.0)}  # 宜川路, in a phone's GPS IFD
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="31,15.31N"/>'
       b'</rdf:RDF></x:xmpmeta>')


def located(fmt: str) -> bytes:
    """A picture turned on its side (EXIF orientation 6) that says where it was taken: EXIF GPS (and XMP)."""
    exif = Image.Exif()
    exif[0x0112], exif[0x010F], exif[0x8825] = 6, "Phone", GPS
    out = io.BytesIO()
    image = Image.new("RGB", (64, 32), (0, 160, 60))
    image.paste((200, 0, 0), (0, 0, 16, 32))  # not symmetric: a lost orientation would show
    extra = {"quality": 90, "xmp": XMP} if fmt == "JPEG" else {}
    image.save(out, fmt, exif=exif.tobytes(), **extra)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_served_photo_says_not_where_it_was_taken_and_the_original_stays_for_the_record(app, street, fmt):
    # A phone writes the place of a picture into it. Whoever may see the ticket gets the photo without it —
    # turned upright, stamped with the ticket's 水印 — while the command center can fetch the original, which
    # is what the record and the backups keep.
    original = located(fmt)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    tid = ticket_in(street, "in_progress")["id"]
    photo = upload(street, street.sanitation, tid, data=original, filename="IMG").get_json()["photo"]
    for who in (street.sanitation, street.inspector, street.command):
        served = street.client.get(photo["url"], headers=who)
        assert served.status_code == 200 and served.mimetype == f"image/{fmt.lower()}"
        image = Image.open(io.BytesIO(served.data))
        assert image.getexif().get_ifd(0x8825) == {} and 0x8825 not in image.getexif()  # no GPS
        assert b"GPSLatitude" not in served.data and b"Phone" not in served.data  # nor XMP, nor the rest
        assert 0x0112 not in image.getexif() and image.size == (32, 64)  # turned upright: no orientation needed
        if fmt == "PNG":  # lossless: above the stamp, the upright picture's pixels as they were
            upright = ImageOps.exif_transpose(Image.open(io.BytesIO(original))).convert("RGB")
            assert image.convert("RGB").crop((0, 0, 32, 12)).tobytes() == upright.crop((0, 0, 32, 12)).tobytes()
    # the original: byte for byte, for the command center (and admins) only
    for who, status in ((street.command, 200), (street.sanitation, 403), (street.inspector, 403)):
        response = street.client.get(photo["url"] + "?original=1", headers=who)
        assert response.status_code == status
        if status == 200:
            assert response.data == original
            assert Image.open(io.BytesIO(response.data)).getexif().get_ifd(0x8825)[1] == "N"
        else:
            assert response.get_json()["error"]["code"] == "forbidden"
    assert street.client.get(photo["url"] + "?original=yes", headers=street.command).status_code == 400
    # stored once under var/photos (the record, what backups copy); the served copy beside it, by convention,
    # and made again when lost
    var = Path(app.config["VAR_DIR"])
    assert (var / "photos" / photo["sha256"][:2] / photo["sha256"]).read_bytes() == original
    served_copy = var / "served" / photo["sha256"][:2] / f"{photo['sha256']}-{photo['id']}-s1"
    kept = served_copy.read_bytes()
    served_copy.unlink()
    assert street.client.get(photo["url"], headers=street.sanitation).data == kept
