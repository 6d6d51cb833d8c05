"""The stored monthly report (月度研判): one row per month and version, never changed once written."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from dispatch.types import json_field, utc_field


class MonthlyReport(SQLModel, table=True):
    """A month's report as it was generated: the figures, the 通报 list and the hotspots, frozen in `data`.

    Append-only (a record table, dispatch.tickets.record): a month is generated once (version 1); making it
    again is refused unless asked for explicitly with a reason, which adds version 2, 3 … and keeps the
    earlier ones. Pages and exports read `data`; nothing recomputes a stored month.
    """

    __tablename__ = "monthly_reports"
    __table_args__ = (UniqueConstraint("month", "version", name="uq_monthly_report_version"),)
    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(index=True, max_length=7)  # YYYY-MM, a local (Asia/Shanghai) month
    version: int = 1
    generated_at: datetime = utc_field(nullable=False)
    generated_by: str = Field(max_length=64)  # "scheduler", or the user name of whoever asked
    reason: str | None = Field(default=None, sa_column=Column(Text))  # why a new version was made
    data: dict = json_field()
