"""Many rows in one statement, without the ORM's (or the compiler's) per-row cost: for set-based jobs
such as the escalation sweep, which write thousands of rows in one transaction.

The values go through each column's own type (``bind_processor``: UTC instants, JSON), exactly as an
ORM or Core insert would store them; only the per-row statement compilation is skipped.
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table
from sqlmodel import Session

PAGE = 500  # rows per multi-row INSERT … RETURNING (SQLite allows 32,766 parameters; PostgreSQL 65,535)


def _placeholder(dialect) -> str:
    return "?" if dialect.paramstyle == "qmark" else "%s"


def _processors(table: Table, columns: Sequence[str], dialect) -> list:
    return [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]


def _process(rows: Sequence[Sequence], processors: list) -> list[tuple]:
    return [tuple(value if fn is None or value is None else fn(value) for fn, value in zip(processors, row))
            for row in rows]


def _insert_sql(table: Table, columns: Sequence[str], dialect, rows: int) -> str:
    quote = dialect.identifier_preparer.quote
    one = "(" + ", ".join([_placeholder(dialect)] * len(columns)) + ")"
    return (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) VALUES "
            + ", ".join([one] * rows))


def insert_many(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """INSERT `rows` (tuples in the order of `columns`) with one executemany."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    connection.exec_driver_sql(_insert_sql(table, columns, dialect, 1),
                               _process(rows, _processors(table, columns, dialect)))


def insert_new(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence], *,
               unique: Sequence[str], returning: Sequence[str]) -> list[tuple]:
    """INSERT … ON CONFLICT (`unique`) DO NOTHING … RETURNING `returning`, in multi-row pages of PAGE:
    the rows that were new (a row whose key exists returns nothing)."""
    if not rows:
        return []
    connection = session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    processed = _process(rows, _processors(table, columns, dialect))
    tail = (f" ON CONFLICT ({', '.join(quote(c) for c in unique)}) DO NOTHING"
            f" RETURNING {', '.join(quote(c) for c in returning)}")
    found: list[tuple] = []
    for start in range(0, len(processed), PAGE):
        page = processed[start:start + PAGE]
        sql = _insert_sql(table, columns, dialect, len(page)) + tail
        found += [tuple(r) for r in connection.exec_driver_sql(sql, tuple(v for row in page for v in row))]
    return found


def insert_together(session: Session, parts: Sequence[tuple[Table, Sequence[str], Sequence[Sequence]]]) -> None:
    """PostgreSQL: INSERT into several tables in ONE statement (one round trip), each part a data-modifying
    `WITH` of the last: (table, columns, rows) in the order written — a parent before the rows that refer
    to it (their foreign keys are checked at the statement's end). Values go through each column's type."""
    parts = [(table, columns, rows) for table, columns, rows in parts if rows]
    connection = session.connection()
    dialect = connection.dialect
    inserts, values = [], []
    for table, columns, rows in parts:
        inserts.append(_insert_sql(table, columns, dialect, len(rows)))
        values += [v for row in _process(rows, _processors(table, columns, dialect)) for v in row]
    sql = "".join(f"{'WITH' if i == 0 else ','} w{i} AS ({statement}) " for i, statement in enumerate(inserts[:-1]))
    connection.exec_driver_sql(sql + inserts[-1], tuple(values))
