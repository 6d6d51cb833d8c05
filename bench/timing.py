"""Where a benchmarked operation's time goes, measured, for the note of a row that misses its goal.

``statements(engine)`` times every SQL statement the engine runs (at the driver, grouped by verb and table);
``functions(targets)`` times calls of module-level functions (e.g. the parts of the cockpit's feed);
``breakdown`` words the biggest shares and what is left (Python, commits, COPY).
"""
from __future__ import annotations

import contextlib
import functools
import re
import time

from sqlalchemy import event

_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+\"?([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)


def label(statement: str) -> str:
    """"UPDATE tickets", "INSERT escalations", "SELECT tickets", "WITH …" → its verb and first table."""
    verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
    found = _TABLE.search(statement)
    return f"{verb} {found.group(1)}" if found else verb


@contextlib.contextmanager
def statements(engine):
    """Yields a dict label → seconds, filled while the block runs."""
    spent: dict[str, float] = {}

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        started = conn.info["bench_started"].pop()
        key = label(statement)
        spent[key] = spent.get(key, 0.0) + time.perf_counter() - started

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield spent
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


@contextlib.contextmanager
def functions(targets: list[tuple[object, str, object]]):
    """Time calls of `getattr(module, name)` for each (module, name, key) while the block runs; `key(kwargs)`
    names a call (or is a str). Yields a dict name → seconds."""
    spent: dict[str, float] = {}
    saved = []
    for module, name, key in targets:
        original = getattr(module, name)

        def timed(*args, _original=original, _key=key, _name=name, **kwargs):
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                which = _key(kwargs) if callable(_key) else (_key or _name)
                spent[which] = spent.get(which, 0.0) + time.perf_counter() - started

        functools.update_wrapper(timed, original)
        saved.append((module, name, original))
        setattr(module, name, timed)
    try:
        yield spent
    finally:
        for module, name, original in reversed(saved):
            setattr(module, name, original)


def breakdown(spent: dict[str, float], total: float, *, top: int = 4, rest: str = "Python, commits, COPY") -> str:
    """"UPDATE tickets 1.80 s, INSERT outbox 1.20 s, …; the rest (Python, commits, COPY) 1.30 s" of `total`."""
    biggest = sorted(spent.items(), key=lambda item: -item[1])[:top]
    shown = ", ".join(f"{name} {_seconds(seconds)}" for name, seconds in biggest)
    left = max(0.0, total - sum(spent.values()))
    return f"{shown}; the rest ({rest}) {_seconds(left)}" if shown else f"all of it outside SQL ({rest})"


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value >= 0.1 else f"{value * 1000:.1f} ms"
