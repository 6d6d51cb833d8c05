"""Free text that must say something: blank is blank also when it is made of invisible characters.

A description, a 退单/作废 reason or a failed 核查's note that holds only whitespace or characters that
show nothing — zero-width space U+200B, ZWNJ U+200C, ZWJ U+200D, word joiner U+2060, BOM U+FEFF, soft
hyphen, bidi marks, Hangul fillers, the Braille blank — is refused like an empty one. The text is stored
as sent; only the test of "not blank" looks through them. `VISIBLE` is the same rule as a regular
expression (one character that is neither), for pydantic's `pattern` and the OpenAPI document.
"""
from __future__ import annotations

import re

INVISIBLE = (
    "\u00ad"          # soft hyphen
    "\u034f"          # combining grapheme joiner
    "\u115f\u1160"    # Hangul choseong / jungseong fillers
    "\u180e"          # Mongolian vowel separator
    "\u200b-\u200f"   # zero-width space, ZWNJ, ZWJ, left-to-right / right-to-left marks
    "\u202a-\u202e"   # bidi embeddings and overrides
    "\u2060-\u2064"   # word joiner, invisible operators
    "\u2066-\u2069"   # bidi isolates
    "\u2800"          # Braille pattern blank
    "\u3164"          # Hangul filler
    "\ufeff"          # zero-width no-break space (BOM)
    "\uffa0"          # halfwidth Hangul filler
)
VISIBLE = f"[^\\s{INVISIBLE}]"  # one character that shows: a text without one is blank
_VISIBLE = re.compile(VISIBLE)


def is_blank(text: str | None) -> bool:
    """True for None, "" and text of only whitespace and invisible characters.

    >>> is_blank("\\u200b\\u200c\\u200d\\u2060\\ufeff \\u3000\\n"), is_blank("垃圾\\u200b")
    (True, False)
    >>> is_blank(None), is_blank("  a  ")
    (True, False)
    """
    return text is None or _VISIBLE.search(text) is None
