"""Column types shared by the models."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """An aware UTC instant; SQLite drops the zone on load, so it is re-attached here."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utc_now() -> datetime:
    """The current instant, aware UTC (only the clock and CLI defaults call this)."""
    return datetime.now(UTC)


def utc_field(*, nullable: bool = True, index: bool = False, default=None):
    """A SQLModel field stored as an aware UTC instant."""
    from sqlalchemy import Column
    from sqlmodel import Field

    return Field(default=default, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def json_field(default_factory=dict):
    """A SQLModel field stored as JSON."""
    from sqlalchemy import JSON, Column
    from sqlmodel import Field

    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=False))
