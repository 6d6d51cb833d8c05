"""Tables as files people open in Excel or WPS: CSV (UTF-8 with a BOM) and xlsx (openpyxl).

The one writer of both formats; the evaluation export (``stats.export``) and the ticket lists
(``tickets.export``) say what goes in the cells.

>>> to_csv(["工单号", "描述"], [["YC-20261204-0001", 'a "quoted", text']])[:3] == "\\ufeff".encode()
True
>>> to_csv(["a", "b"], [[None, 1.5], ["=1+2", "-3.5"]]).decode("utf-8-sig").splitlines()
['a,b', ',1.5', "'=1+2,-3.5"]
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"
FORMATS = {"xlsx": XLSX_MIMETYPE, "csv": CSV_MIMETYPE}
# A cell starting with one of these is a formula to Excel (CSV injection): such text gets a leading '
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value) -> str:
    """A value as a CSV cell: None empty, text that Excel would run as a formula quoted with '."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(_FORMULA_START) and not _number(text) else text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """The table as CSV, UTF-8 with a BOM so that Excel reads the Chinese headers."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([cell_text(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def new_sheet(book: Workbook, title: str, header: Sequence[str], *, first: bool = False):
    """A sheet of `book` (its first, or a new one) with a bold header row, frozen under the header."""
    sheet = book.active if first else book.create_sheet(title)
    sheet.title = title
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    return sheet


def save(book: Workbook) -> bytes:
    """The workbook's bytes."""
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence], *,
            widths: Sequence[int] = (), notes: Sequence[tuple[str, str]] = ()) -> bytes:
    """One sheet `title` (header, rows; column widths in characters) and, with `notes`, a sheet 说明."""
    book = Workbook()
    sheet = new_sheet(book, title, header, first=True)
    for row in rows:
        sheet.append([cell_text(v) if isinstance(v, str) else v for v in row])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    if notes:
        about = book.create_sheet("说明")
        for line in notes:
            about.append(list(line))
        about.column_dimensions["A"].width = 20
        about.column_dimensions["B"].width = 60
    return save(book)
