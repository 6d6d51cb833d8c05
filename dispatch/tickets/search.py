"""Free-text search of tickets (``?q=``): by number, address and words of the description.

The query is split into words at spaces (ASCII and the ideographic space); a ticket matches when every
word is found in its number, its address or its description. Matching ignores ASCII case and the width of
letters and digits: ``ｙｃ-２０２６`` finds ``YC-2026…``, and ``3号楼`` also finds a description typed with
full-width digits (``３号楼``). Each word becomes a parameterised ``LIKE`` with ``%``, ``_`` and ``\\``
escaped, so they match themselves; the same SQL runs on SQLite and PostgreSQL.

A query that is a whole ticket number (``YC-20261204-0001``, any case or width) is an equality test on the
unique index of ``tickets.number``; any other word is a substring test, which scans the tickets the other
filters and the caller's visibility leave (no index helps ``LIKE '%…%'``).

>>> words("  路灯　不亮 ")
['路灯', '不亮']
>>> variants("Yc-0001")
['yc-0001', 'ｙｃ－０００１']
>>> like_pattern("100%_a\\\\b")
'%100\\\\%\\\\_a\\\\\\\\b%'
>>> whole_number("ｙｃ－20261204－0001"), whole_number("0001")
('YC-20261204-0001', None)
"""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import and_, func, or_

from dispatch.tickets.models import Ticket

MAX_LENGTH = 100  # characters of q; a longer one is refused (400)
MAX_WORDS = 8
ESCAPE = "\\"
_NUMBER = re.compile(r"^[A-Z]{1,8}-\d{8}-\d{4,}$")
_SEARCHED = (Ticket.number, Ticket.address, Ticket.description)


def normal(text: str) -> str:
    """NFKC (full-width letters and digits → ASCII, the ideographic space → a space), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def words(q: str) -> list[str]:
    """The words of a query, normalised; at most MAX_WORDS (the rest are ignored)."""
    return normal(q).split()[:MAX_WORDS]


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def variants(word: str) -> list[str]:
    """The forms of a normalised word to look for: as given (lower case), and with full-width ASCII."""
    word = normal(word)
    wide = _full_width(word)
    return [word] if wide == word else [word, wide]


def like_pattern(word: str) -> str:
    """``%word%`` with the LIKE wildcards and the escape character escaped."""
    escaped = word.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def whole_number(q: str) -> str | None:
    """The ticket number the query is, upper case (``YC-20261204-0001``), or None."""
    text = unicodedata.normalize("NFKC", q).strip().upper()
    return text if _NUMBER.match(text) else None


def clause(q: str):
    """The SQL condition of a query (None when it has no words)."""
    number = whole_number(q)
    if number is not None:
        return Ticket.number == number
    found = words(q)
    if not found:
        return None
    return and_(*(or_(*(func.lower(column).like(like_pattern(form), escape=ESCAPE)
                        for column in _SEARCHED for form in variants(word)))
                  for word in found))
