"""水印: the time and place stamped on a photo's served copy and thumbnail, as evidence rules expect.

A photo shown in the pages says which ticket it belongs to (工单号), whether it is the 处置前 or 处置后
picture, when the event was reported (上报时间) and when the photo came in (上传), and where (the address,
and the WGS-84 coordinates the system placed the ticket at). The band is drawn at the bottom of the upright
picture, white text on a dark translucent strip, sized to the picture. Only derived copies are stamped: the
original stays byte for byte (the record, `?original=1`).

Chinese needs a CJK font: the system's Noto Sans CJK (Debian's fonts-noto-cjk) when present. Without one,
the stamp falls back to Pillow's own font and to what it can draw: the ticket number, the times and the
coordinates in ASCII (an address in Chinese is left out rather than drawn as empty boxes).

>>> stamp = Stamp(number="YC-20261204-0001", stage="before", reported="2026-12-04 10:15",
...               uploaded="2026-12-04 10:20", address="宜川路 300 号", lng=121.4288, lat=31.2551)
>>> stamp.lines(chinese=True)
['YC-20261204-0001 · 处置前照片', '上报时间 2026-12-04 10:15 · 上传 2026-12-04 10:20', '宜川路 300 号 · 121.42880, 31.25510']
>>> stamp.lines(chinese=False)
['YC-20261204-0001 before', 'reported 2026-12-04 10:15 uploaded 2026-12-04 10:20', '121.42880, 31.25510']
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

log = logging.getLogger(__name__)

STAGE_LABELS = {"before": "处置前照片", "after": "处置后照片"}
# Where Debian's fonts-noto-cjk puts Noto Sans CJK (SC first in the collection's faces we ask for), then
# other common places of a CJK font; the first that exists is used.
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
NOTO_SC_INDEX = 2  # in Noto's .ttc: JP, KR, SC, TC, HK — the Simplified Chinese face
VERSION = "s1"  # part of a stamped file's name: a new look of the stamp makes new files


@dataclass(frozen=True)
class Stamp:
    """What is written on one photo (the local times already formatted)."""

    number: str
    stage: str
    reported: str
    uploaded: str
    address: str | None = None
    lng: float | None = None
    lat: float | None = None

    def lines(self, *, chinese: bool) -> list[str]:
        """The stamp's lines: in Chinese, or (no CJK font) only what ASCII can say."""
        where = f"{self.lng:.5f}, {self.lat:.5f}" if self.lng is not None and self.lat is not None else ""
        if not chinese:
            address = self.address if self.address and self.address.isascii() else ""
            return [f"{self.number} {self.stage}", f"reported {self.reported} uploaded {self.uploaded}",
                    " ".join(part for part in (address, where) if part) or "-"]
        place = " · ".join(part for part in (self.address, where) if part) or "位置未知"
        return [f"{self.number} · {STAGE_LABELS.get(self.stage, self.stage)}",
                f"上报时间 {self.reported} · 上传 {self.uploaded}", place]


@cache
def cjk_font_path() -> str | None:
    """The first CJK font of CJK_FONTS on this machine, or None (the stamp then falls back to ASCII)."""
    for candidate in CJK_FONTS:
        if Path(candidate).is_file():
            return candidate
    log.warning("no CJK font found (install fonts-noto-cjk): photo stamps are written without Chinese")
    return None


@cache
def _font(path: str | None, size: int):
    if path is None:
        return ImageFont.load_default(size)
    try:
        return ImageFont.truetype(path, size, index=NOTO_SC_INDEX if "Noto" in path else 0)
    except OSError:  # a collection with fewer faces
        return ImageFont.truetype(path, size)


def apply(image: Image.Image, stamp: Stamp, *, font_path: str | None = None) -> Image.Image:
    """A copy of the upright RGB `image` with the stamp drawn in a band along its bottom edge."""
    font_path = cjk_font_path() if font_path is None else font_path or None
    lines = stamp.lines(chinese=font_path is not None)
    width, height = image.size
    size = max(10, min(width // 34, height // 9))
    font = _font(font_path, size)
    draw_probe = ImageDraw.Draw(image)
    widest = max(draw_probe.textlength(line, font=font) for line in lines)
    if widest > width - size:  # a narrow picture: shrink the text to fit its width
        size = max(8, int(size * (width - size) / widest))
        font = _font(font_path, size)
    spacing = max(2, size // 4)
    line_height = max(size, font.getbbox("国Ag")[3]) + spacing  # a CJK face's line is taller than its size
    band = len(lines) * line_height + 2 * spacing
    stamped = image.convert("RGBA")
    overlay = Image.new("RGBA", stamped.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    top = max(0, height - band)
    draw.rectangle((0, top, width, height), fill=(0, 0, 0, 150))
    y = top + spacing
    for line in lines:
        draw.text((size // 2, y), line, font=font, fill=(255, 255, 255, 255))
        y += line_height
    return Image.alpha_composite(stamped, overlay).convert("RGB")
