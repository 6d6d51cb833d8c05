"""cockpit_snapshots: the last cockpit feed computed for each zone, shared by every screen and worker (0011)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from dispatch.types import utc_field

WHOLE_STREET = ""  # the key of the snapshot without a zone filter (a primary key is never NULL)


class CockpitSnapshot(SQLModel, table=True):
    """One zone's feed as last computed: its body, the body's version, the watermark and instant it was computed at,
    the claim of the worker computing the next one (claimed_at; NULL when nobody is) and the zone's evaluation."""

    __tablename__ = "cockpit_snapshots"
    zone: str = Field(primary_key=True, max_length=64)
    version: str = Field(max_length=64)
    watermark: str = Field(sa_column=Column(Text, nullable=False))
    computed_at: datetime = utc_field(nullable=False)
    claimed_at: datetime | None = utc_field()
    body: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # the zone's evaluation over the API's default period at computed_at (stats.summary, totals only): what
    # GET /api/v1/stats answers with its default parameters while this snapshot is current
    stats: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
