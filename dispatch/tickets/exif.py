"""A photo's served copy: the same image without where it was taken (EXIF GPS, XMP, IPTC, comments).

A phone writes the place of a picture into its metadata; the record keeps the original byte for byte,
and what is served to the pages and the API is this copy. The pixels are not touched (no re-encoding):
JPEG segments, PNG chunks and WebP chunks that may carry a location are dropped, and the orientation,
the one piece of metadata that changes how the picture looks, is written back alone.

>>> from PIL import Image
>>> exif = Image.Exif(); exif[0x0112] = 6; exif[0x8825] = {1: "N", 2: (31.0, 15.0, 18.6)}
>>> out = io.BytesIO(); Image.new("RGB", (8, 4)).save(out, "JPEG", exif=exif.tobytes())
>>> served = Image.open(io.BytesIO(without_location(out.getvalue(), "image/jpeg"))).getexif()
>>> dict(served), served.get_ifd(0x8825)
({274: 6}, {})
"""
from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

ORIENTATION = 0x0112
JPEG_DROPPED = {0xE1, 0xED, 0xFE}  # APP1 (Exif, XMP), APP13 (Photoshop IRB, IPTC), COM
JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RSTn carry no length
PNG_DROPPED = {b"eXIf", b"tEXt", b"zTXt", b"iTXt"}  # EXIF, and text chunks (XMP lives in iTXt)
WEBP_DROPPED = {b"EXIF", b"XMP "}
VP8X_EXIF, VP8X_XMP = 0x08, 0x04


def orientation(data: bytes) -> int:
    """The EXIF orientation of the image (1, upright, when it has none or an odd one)."""
    try:
        value = Image.open(io.BytesIO(data)).getexif().get(ORIENTATION, 1)
    except Exception:  # noqa: BLE001 — unreadable metadata: the picture as it is stored
        return 1
    return value if isinstance(value, int) and 2 <= value <= 8 else 1


def _orientation_exif(value: int) -> bytes:
    """An EXIF block ("Exif\\0\\0" + TIFF) holding the orientation only."""
    exif = Image.Exif()
    exif[ORIENTATION] = value
    return exif.tobytes()


def without_location(data: bytes, content_type: str) -> bytes:
    """The photo's bytes without location metadata, its orientation kept; the image data unchanged."""
    turned = orientation(data)
    if content_type == "image/jpeg":
        return _jpeg(data, turned)
    if content_type == "image/png":
        return _png(data, turned)
    if content_type == "image/webp":
        return _webp(data, turned)
    raise ValueError(f"not a photo type: {content_type}")


def _jpeg(data: bytes, turned: int) -> bytes:
    kept, pos = [data[:2]], 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in JPEG_STANDALONE:
            kept.append(data[pos:pos + 2])
            pos += 2
            continue
        if marker in (0xDA, 0xD9):  # start of scan (image data follows) or end of image
            break
        end = pos + 2 + struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if marker not in JPEG_DROPPED:
            kept.append(data[pos:end])
        pos = end
    if turned != 1:
        block = _orientation_exif(turned)
        segment = b"\xff\xe1" + struct.pack(">H", len(block) + 2) + block
        at = 2 if len(kept) > 1 and kept[1][:2] == b"\xff\xe0" else 1  # after JFIF's APP0, if any
        kept.insert(at, segment)
    return b"".join(kept) + data[pos:]


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png(data: bytes, turned: int) -> bytes:
    kept, pos = [data[:8]], 8
    while pos + 12 <= len(data):
        length, kind = struct.unpack(">I", data[pos:pos + 4])[0], data[pos + 4:pos + 8]
        end = pos + 12 + length
        if kind == b"IDAT" and turned != 1:
            kept.append(_png_chunk(b"eXIf", _orientation_exif(turned)[6:]))  # eXIf holds the TIFF part
            turned = 1
        if kind not in PNG_DROPPED:
            kept.append(data[pos:end])
        pos = end
    return b"".join(kept) + data[pos:]


def _webp(data: bytes, turned: int) -> bytes:
    chunks, pos = [], 12
    while pos + 8 <= len(data):
        kind, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        end = pos + 8 + size + (size & 1)
        if kind not in WEBP_DROPPED:
            chunks.append(data[pos:end])
        pos = end
    if chunks and chunks[0][:4] == b"VP8X":
        flags = chunks[0][8] & ~(VP8X_EXIF | VP8X_XMP)
        if turned != 1:
            block = _orientation_exif(turned)[6:]
            chunks.append(b"EXIF" + struct.pack("<I", len(block)) + block + b"\x00" * (len(block) & 1))
            flags |= VP8X_EXIF
        chunks[0] = chunks[0][:8] + bytes([flags]) + chunks[0][9:]
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body
