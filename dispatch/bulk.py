"""Many rows in one statement, without the ORM's (or the compiler's) per-row cost: for set-based jobs
such as the escalation sweep, which write thousands of rows in one transaction.

The values go through each column's own type (``bind_processor``: UTC instants, JSON), exactly as an
ORM or Core insert would store them; only the per-row statement compilation is skipped. A value repeated
from the row before (the sweep's `now` on every row) is converted once.

- SQLite: one executemany of a prepared INSERT (``insert_many``); multi-row INSERT … RETURNING pages
  (``insert_new``).
- PostgreSQL: COPY … FROM STDIN (``insert_many``: rows formatted by the driver in C, no statement or
  parameter per row); ``insert_new`` copies into a temporary staging table (emptied at commit) and moves
  the rows with one INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING. (executemany, multi-row VALUES and
  unnest(arrays) each cost several times more of the client's time: a parameter or a statement per row, or
  arrays quoted in Python.)

JSON columns may be given already encoded (``encoded``: text from ``json_encoder``), so a payload shared by
many rows is encoded once.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from sqlalchemy import JSON, Table
from sqlmodel import Session

PAGE = 500  # rows per multi-row INSERT … RETURNING on SQLite (it allows 32,766 parameters)
_UNSET = object()


def _placeholder(dialect) -> str:
    return "?" if dialect.paramstyle == "qmark" else "%s"


def json_encoder(session: Session) -> Callable[[object], str]:
    """The function the database's JSON columns encode a value with (the engine's json_serializer, else
    json.dumps): text given to ``encoded`` columns is stored exactly as the column's own type would store it."""
    return session.get_bind().dialect._json_serializer or json.dumps


def _processors(table: Table, columns: Sequence[str], dialect, encoded: Sequence[str]) -> list:
    found = []
    for name in columns:
        column_type = table.c[name].type
        if name in encoded:
            found.append(None)  # already the column's text
        elif dialect.name == "postgresql" and isinstance(column_type, JSON):
            found.append(dialect._json_serializer or json.dumps)  # text, cast to json by the statement
        else:
            found.append(column_type.dialect_impl(dialect).bind_processor(dialect))
    return found


def _columns(rows: Sequence[Sequence], processors: list) -> list[list]:
    """The rows' values column by column, each through its processor (a value that is the very object of
    the row before is converted once)."""
    found = []
    for i, fn in enumerate(processors):
        values = [row[i] for row in rows]
        if fn is not None:
            last_in, last_out = _UNSET, None
            for j, value in enumerate(values):
                if value is None:
                    continue
                if value is not last_in:
                    last_in, last_out = value, fn(value)
                values[j] = last_out
        found.append(values)
    return found


def _process(rows: Sequence[Sequence], processors: list) -> list[tuple]:
    return list(zip(*_columns(rows, processors)))


def _insert_sql(table: Table, columns: Sequence[str], dialect, rows: int) -> str:
    quote = dialect.identifier_preparer.quote
    one = "(" + ", ".join([_placeholder(dialect)] * len(columns)) + ")"
    return (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) VALUES "
            + ", ".join([one] * rows))


def _copy(connection, table_name: str, columns: Sequence[str], rows, quote) -> None:
    """PostgreSQL: COPY `rows` into `table_name` through the driver (in the session's transaction)."""
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor:
        with cursor.copy(f"COPY {quote(table_name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _staging(connection, table: Table, columns: Sequence[str], quote) -> str:
    """PostgreSQL: a temporary table of `columns` (their types, no constraints) for this connection, emptied
    at every commit; its name."""
    name = f"bulk_stage_{table.name}"
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {quote(name)} ON COMMIT DELETE ROWS AS "
        f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table.name)} WITH NO DATA")
    connection.exec_driver_sql(f"TRUNCATE {quote(name)}")  # left over by a failed batch's savepoint, if any
    return name


def insert_many(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence], *,
                encoded: Sequence[str] = ()) -> None:
    """INSERT `rows` (tuples in the order of `columns`): one executemany (SQLite) or one statement
    (PostgreSQL). `encoded`: JSON columns whose values are already text from ``json_encoder``."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    processors = _processors(table, columns, dialect, encoded)
    if dialect.name == "postgresql":
        _copy(connection, table.name, columns, _process(rows, processors), dialect.identifier_preparer.quote)
        return
    connection.exec_driver_sql(_insert_sql(table, columns, dialect, 1), _process(rows, processors))


def insert_new(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence], *,
               unique: Sequence[str], returning: Sequence[str]) -> list[tuple]:
    """INSERT … ON CONFLICT (`unique`) DO NOTHING … RETURNING `returning` (SQLite: in multi-row pages of
    PAGE; PostgreSQL: COPY, then one statement): the rows that were new (a row whose key exists returns nothing)."""
    if not rows:
        return []
    connection = session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    processors = _processors(table, columns, dialect, ())
    tail = (f" ON CONFLICT ({', '.join(quote(c) for c in unique)}) DO NOTHING"
            f" RETURNING {', '.join(quote(c) for c in returning)}")
    if dialect.name == "postgresql":
        stage = _staging(connection, table, columns, quote)
        _copy(connection, stage, columns, _process(rows, processors), quote)
        names = ", ".join(quote(c) for c in columns)
        result = connection.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) SELECT {names} FROM "
                                            f"{quote(stage)}{tail}")
        return [tuple(r) for r in result]
    processed = _process(rows, processors)
    found: list[tuple] = []
    for start in range(0, len(processed), PAGE):
        page = processed[start:start + PAGE]
        sql = _insert_sql(table, columns, dialect, len(page)) + tail
        found += [tuple(r) for r in connection.exec_driver_sql(sql, tuple(v for row in page for v in row))]
    return found


def update_many(session: Session, table: Table, params: Sequence[tuple[str, object]], rows: Sequence[Sequence], *,
                set_sql: str, where_sql: str) -> int:
    """UPDATE `table` once per row of `rows` (tuples in the order of `params`: (name, SQLAlchemy type)) with
    `set_sql` and `where_sql`, in which ``{name}`` stands for a parameter; how many rows were updated.

    SQLite: one executemany. PostgreSQL: COPY into a temporary staging table (emptied at commit), then one
    UPDATE … FROM it — one statement for the server instead of one per row."""
    if not rows:
        return 0
    connection = session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    names = [name for name, _ in params]
    processors = []
    for _, type_ in params:
        if dialect.name == "postgresql" and isinstance(type_, JSON):
            processors.append(dialect._json_serializer or json.dumps)
        else:
            processors.append(type_.dialect_impl(dialect).bind_processor(dialect))
    values = _process(rows, processors)
    if dialect.name == "postgresql":
        stage = f"bulk_update_{table.name}"
        columns = ", ".join(f"{quote(name)} {type_.compile(dialect=dialect)}" for name, type_ in params)
        connection.exec_driver_sql(f"CREATE TEMPORARY TABLE IF NOT EXISTS {quote(stage)} ({columns}) "
                                   "ON COMMIT DROP")
        connection.exec_driver_sql(f"TRUNCATE {quote(stage)}")
        _copy(connection, stage, names, values, quote)
        fill = {name: f"v.{quote(name)}" for name in names}
        result = connection.exec_driver_sql(f"UPDATE {quote(table.name)} SET {set_sql.format(**fill)} "
                                            f"FROM {quote(stage)} AS v WHERE {where_sql.format(**fill)}")
        return result.rowcount
    fill = {name: f":{name}" for name in names}
    result = connection.exec_driver_sql(f"UPDATE {quote(table.name)} SET {set_sql.format(**fill)} "
                                        f"WHERE {where_sql.format(**fill)}",
                                        [dict(zip(names, row)) for row in values])
    return result.rowcount


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
        values += [v for row in _process(rows, _processors(table, columns, dialect, ())) for v in row]
    sql = "".join(f"{'WITH' if i == 0 else ','} w{i} AS ({statement}) " for i, statement in enumerate(inserts[:-1]))
    connection.exec_driver_sql(sql + inserts[-1], tuple(values))
