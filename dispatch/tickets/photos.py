"""Photos: type sniffed from the bytes (JPEG/PNG/WebP), size-limited, stored by sha256 under var/."""
from __future__ import annotations

import hashlib
import os
import tempfile
import zlib
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from dispatch.errors import ApiError
from dispatch.tickets import service as ticket_service
from dispatch.tickets.models import Photo, Status, Ticket
from dispatch.users.models import User

STAGES = ("before", "after")
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


def path_for(var_dir: str | Path, sha256: str) -> Path:
    """Where a photo with this digest lives: var/photos/ab/abcdef…"""
    return Path(var_dir) / "photos" / sha256[:2] / sha256


def store(*, session: Session, ticket: Ticket, user: User, data: bytes, stage: str, var_dir: str, max_bytes: int,
          now: datetime) -> Photo:
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
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(var_dir, digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # a temporary name of its own: two threads of one process storing the same bytes must not share it
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{digest[:8]}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
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
