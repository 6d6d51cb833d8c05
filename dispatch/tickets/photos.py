"""Photos: type sniffed from the bytes (JPEG/PNG/WebP), decoded, size-limited, stored by sha256 under var/.

Every photo is decoded with Pillow before it is kept: bytes that only look like an image (a JPEG's first
and last markers around nothing, a bare RIFF/WebP header) are refused, and so is an image of more pixels
than `photo_max_pixels` (config/intake.toml; a 100000×100000 PNG header is a decompression bomb). The
original is kept byte for byte (the record, EXIF included: backups copy it; `?original=1`). Two files are
derived from it for each photo of a ticket, and made again when missing: the served copy (`served_path`:
var/served/ab/<sha256>-<photo id>-s1) that the API answers with, and a small JPEG thumbnail for the pages
(`thumbnail_path`: var/thumbnails/ab/<sha256>-<photo id>-s1.jpg). Both are the picture turned upright,
with the ticket's 水印 stamped on (dispatch/tickets/stamp.py: 工单号, 处置前/后, 上报时间, 上传, address and
coordinates) and without any metadata — no EXIF GPS, XMP or IPTC says where the phone was. The same bytes
on two tickets (a duplicate report's photo reaching the original) are stored once and stamped per ticket.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
import warnings
import zlib
from datetime import datetime, tzinfo
from pathlib import Path

from PIL import Image, ImageOps
from sqlmodel import Session

from dispatch.errors import ApiError
from dispatch.tickets import stamp as photo_stamp
from dispatch.tickets import service as ticket_service
from dispatch.tickets.models import Photo, Status, Ticket
from dispatch.users.models import User

log = logging.getLogger(__name__)

STAGES = ("before", "after")
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
THUMBNAIL_EDGE = 480  # px, the longer side: sharp on a phone's list, a few tens of kB on mobile data
THUMBNAIL_QUALITY = 70
SERVED_QUALITY = 90  # JPEG/WebP quality of the stamped served copy: the picture as the eye sees it
ENDED = (Status.closed, Status.cancelled, Status.duplicate)  # a finished record takes no more photos


def takes_photo(ticket: Ticket, *, user: User, stage: str) -> bool:
    """Whether the ticket's record still takes this photo: an ended ticket does not, except that a
    duplicate report takes its own reporter's 处置前 photo (the evidence of the report, sent after it)."""
    if ticket.status not in ENDED:
        return True
    return ticket.status == Status.duplicate and stage == "before" and user.id == ticket.reporter_id


def sniff(data: bytes) -> str | None:
    """The image type from its magic bytes, or None.

    >>> sniff(b"\\x89PNG\\r\\n\\x1a\\n" + b"0" * 8)
    'image/png'
    >>> sniff(b"GIF89a") is None
    True
    """
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def intact(data: bytes, content_type: str) -> bool:
    """True when the file's own structure is complete (catches a truncated phone upload).

    PNG: every chunk's CRC holds, from IHDR to IEND. JPEG: ends with the EOI marker (trailing zero
    padding allowed). WebP: the RIFF size matches the bytes received.

    >>> intact(b"\\xff\\xd8\\xff\\xe0" + b"\\x00" * 8 + b"\\xff\\xd9", "image/jpeg")
    True
    >>> intact(b"\\xff\\xd8\\xff\\xe0" + b"\\x00" * 8, "image/jpeg")
    False
    """
    if content_type == "image/jpeg":
        return data.rstrip(b"\x00").endswith(b"\xff\xd9")
    if content_type == "image/webp":
        size = int.from_bytes(data[4:8], "little")
        return size + 8 <= len(data) <= size + 9  # a RIFF chunk may carry one pad byte
    return _png_intact(data)


def _png_intact(data: bytes) -> bool:
    pos, first = 8, True
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if end > len(data) or (first and kind != b"IHDR"):
            return False
        if zlib.crc32(data[pos + 4:end - 4]) != int.from_bytes(data[end - 4:end], "big"):
            return False
        if kind == b"IEND":
            return True
        pos, first = end, False
    return False


def decode(data: bytes, content_type: str, *, max_pixels: int) -> Image.Image:
    """The decoded image, or ApiError 422: `corrupt_photo` when it does not decode as `content_type`,
    `photo_too_large` when it has more than `max_pixels` pixels (checked from the header, before decoding).

    >>> def code(data, content_type):
    ...     try:
    ...         return decode(data, content_type, max_pixels=10**6).size
    ...     except ApiError as exc:
    ...         return exc.code
    >>> code(b"\\xff\\xd8\\xff\\x00\\x00\\xff\\xd9", "image/jpeg")  # a JPEG's first and last markers, nothing between
    'corrupt_photo'
    >>> out = io.BytesIO(); Image.new("RGB", (1001, 1000)).save(out, "PNG"); code(out.getvalue(), "image/png")
    'photo_too_large'
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[content_type]])
            width, height = image.size
            if width * height > max_pixels:
                raise _too_large(width, height, max_pixels)
            image.load()
    except ApiError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large(None, None, max_pixels) from None
    except Exception:  # noqa: BLE001 — a decoder's complaint about hostile bytes is bad input, never a 500
        raise ApiError(422, "corrupt_photo",
                       f"the photo cannot be read as {content_type}: send the picture itself") from None
    return image


def _too_large(width: int | None, height: int | None, max_pixels: int) -> ApiError:
    size = f"{width}×{height} pixels" if width is not None else "too many pixels"
    return ApiError(422, "photo_too_large",
                    f"the photo has {size}; at most {max_pixels / 1e6:g} megapixels (photo_max_pixels)")


def path_for(var_dir: str | Path, sha256: str) -> Path:
    """Where a photo with this digest lives: var/photos/ab/abcdef…"""
    return Path(var_dir) / "photos" / sha256[:2] / sha256


def thumbnail_path(var_dir: str | Path, sha256: str, photo_id: int) -> Path:
    """Where the stamped thumbnail of a ticket's photo lives: var/thumbnails/ab/<sha256>-<id>-s1.jpg (derived)."""
    return Path(var_dir) / "thumbnails" / sha256[:2] / f"{sha256}-{photo_id}-{photo_stamp.VERSION}.jpg"


def served_path(var_dir: str | Path, sha256: str, photo_id: int) -> Path:
    """Where the served copy of a ticket's photo lives: var/served/ab/<sha256>-<id>-s1 (derived)."""
    return Path(var_dir) / "served" / sha256[:2] / f"{sha256}-{photo_id}-{photo_stamp.VERSION}"


def stamp_for(*, ticket: Ticket, photo: Photo, tz: tzinfo) -> photo_stamp.Stamp:
    """The 水印 of this photo on this ticket: number, stage, 上报时间 and upload time (local), address, point."""
    def local(at: datetime) -> str:
        return at.astimezone(tz).strftime("%Y-%m-%d %H:%M")

    return photo_stamp.Stamp(number=ticket.number, stage=photo.stage, reported=local(ticket.created_at),
                             uploaded=local(photo.uploaded_at), address=ticket.address, lng=ticket.lng,
                             lat=ticket.lat)


def _upright_rgb(image: Image.Image) -> Image.Image:
    """The picture turned the way its EXIF orientation says, in RGB (transparency on white)."""
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _open(original: bytes, content_type: str) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # it passed the limit when stored
        image = Image.open(io.BytesIO(original), formats=[PILLOW_FORMATS.get(content_type, "JPEG")])
        image.load()
    return image


def served_bytes(original: bytes, content_type: str, stamp: photo_stamp.Stamp) -> bytes:
    """The served copy: upright, stamped, in the upload's format, with no metadata at all."""
    image = photo_stamp.apply(_upright_rgb(_open(original, content_type)), stamp)
    out = io.BytesIO()
    fmt = PILLOW_FORMATS.get(content_type, "JPEG")
    image.save(out, fmt, **({"quality": SERVED_QUALITY} if fmt in ("JPEG", "WEBP") else {"optimize": True}))
    return out.getvalue()


def thumbnail_bytes(original: bytes, content_type: str, stamp: photo_stamp.Stamp) -> bytes:
    """A JPEG at most THUMBNAIL_EDGE px on its longer side, upright, stamped, without EXIF (no GPS) or ICC."""
    image = _upright_rgb(_open(original, content_type))
    image.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE))
    image = photo_stamp.apply(image, stamp)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
    return out.getvalue()


def ensure_thumbnail(var_dir: str | Path, photo: Photo, stamp: photo_stamp.Stamp) -> Path | None:
    """The stamped thumbnail's path, made from the stored original when missing; None when the original is
    missing or cannot be read."""
    return _derived(var_dir, photo.sha256, thumbnail_path(var_dir, photo.sha256, photo.id),
                    lambda original: thumbnail_bytes(original, photo.content_type, stamp), "thumbnail")


def ensure_served(var_dir: str | Path, photo: Photo, stamp: photo_stamp.Stamp) -> Path | None:
    """The served copy's path (stamped, without metadata), made from the original when missing; None when the
    original is missing or cannot be read."""
    return _derived(var_dir, photo.sha256, served_path(var_dir, photo.sha256, photo.id),
                    lambda original: served_bytes(original, photo.content_type, stamp), "served copy")


def _derived(var_dir: str | Path, sha256: str, target: Path, make, what: str) -> Path | None:
    if target.exists():
        return target
    original = path_for(var_dir, sha256)
    if not original.exists():
        return None
    try:
        _write(target, make(original.read_bytes()))
    except Exception:  # noqa: BLE001 — logged; the caller answers 404
        log.exception("photo %s: cannot make its %s", sha256, what)
        return None
    return target


def _write(target: Path, data: bytes) -> None:
    """Write `data` to `target` under a temporary name of its own, then rename (never a half-written file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # a temporary name of its own: two threads of one process storing the same bytes must not share it
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name[:8]}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def store(*, session: Session, ticket: Ticket, user: User, data: bytes, stage: str, var_dir: str, max_bytes: int,
          now: datetime, max_pixels: int = 40_000_000) -> Photo:
    """Check and store one photo (content-addressed; the same bytes are kept once) and record it."""
    if stage not in STAGES:
        raise ApiError(422, "validation_error", f"stage must be one of {', '.join(STAGES)}")
    if not data:
        raise ApiError(422, "validation_error", "the photo is empty")
    if len(data) > max_bytes:
        raise ApiError(413, "payload_too_large", f"a photo may be at most {max_bytes} bytes")
    content_type = sniff(data)
    if content_type is None:
        raise ApiError(415, "unsupported_media_type", "a photo must be JPEG, PNG or WebP")
    if not intact(data, content_type):
        raise ApiError(422, "corrupt_photo", "the photo is damaged or incomplete (an interrupted upload?): send it again")
    decode(data, content_type, max_pixels=max_pixels)
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(var_dir, digest)
    if not target.exists():
        _write(target, data)
    # the stamped copies are made per photo, at the first request (ensure_served, ensure_thumbnail)
    photo = _add(session=session, ticket=ticket, user=user, stage=stage, digest=digest, content_type=content_type,
                 size=len(data), now=now, note="处置前照片" if stage == "before" else "处置后照片")
    if ticket.status == Status.duplicate and ticket.duplicate_of is not None:
        original = session.get(Ticket, ticket.duplicate_of)
        if original is not None and original.status not in ENDED:  # the department handling it sees it too
            _add(session=session, ticket=original, user=user, stage="before", digest=digest,
                 content_type=content_type, size=len(data), now=now,
                 note=f"处置前照片（来自重复上报 {ticket.number}）", source=ticket.id)
    session.commit()
    return photo


def _add(*, session: Session, ticket: Ticket, user: User, stage: str, digest: str, content_type: str, size: int,
         now: datetime, note: str, source: int | None = None) -> Photo:
    """One photo row (the file is shared by sha256) and its line in the ticket's timeline (留痕)."""
    photo = Photo(ticket_id=ticket.id, sha256=digest, stage=stage, content_type=content_type, size=size,
                  uploaded_by=user.id, uploaded_at=now)
    session.add(photo)
    session.flush()
    data = {"photo": photo.id, "stage": stage, "sha256": digest}
    if source is not None:
        data["from_ticket"] = source
    ticket_service.record(session=session, ticket=ticket, action="photo", now=now, actor=user,
                          from_status=ticket.status, to_status=ticket.status, note=note, data=data)
    return photo
