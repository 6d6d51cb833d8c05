"""cockpit_snapshots: the last cockpit feed computed for each zone, shared by every screen and worker (0011)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from dispatch.types import utc_field

WHOLE_STREET = ""  # the key of the snapshot without a zone filter (a primary key is never NULL)


class CockpitSnapshot(SQLModel, table=True):
    """One zone's feed as last computed: its body, the body's version, the watermark and instant it was computed at,
    and the claim of the worker computing the next one (claimed_at; NULL when nobody is)."""

    __tablename__ = "cockpit_snapshots"
    zone: str = Field(primary_key=True, max_length=64)
    version: str = Field(max_length=64)
    watermark: str = Field(sa_column=Column(Text, nullable=False))
    computed_at: datetime = utc_field(nullable=False)
    claimed_at: datetime | None = utc_field()
    body: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
