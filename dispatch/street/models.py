"""Reference tables seeded from config/ at start (departments, categories, zones)."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from dispatch.types import json_field, utc_field


class Department(SQLModel, table=True):
    """处置部门, as configured in config/departments.toml."""

    __tablename__ = "departments"
    code: str = Field(primary_key=True, max_length=64)
    name: str
    kind: str = "department"


class Category(SQLModel, table=True):
    """事件类别, as configured in config/categories.toml."""

    __tablename__ = "categories"
    slug: str = Field(primary_key=True, max_length=64)
    code: str = Field(index=True, unique=True, max_length=16)
    name: str
    group: str
    response_limit: str
    resolve_limit: str
    urgent: bool = False


class Zone(SQLModel, table=True):
    """片区 (and nested grid cells), as configured in config/zones.geojson."""

    __tablename__ = "zones"
    code: str = Field(primary_key=True, max_length=64)
    name: str
    level: str = "zone"
    parent: str | None = None
    station: str | None = None
    geometry: dict = json_field()


class ConfigState(SQLModel, table=True):
    """One row: how many times config/ was reloaded (`generation`), so every process follows a reload.

    A reload (admin API or SIGHUP) in one process raises the generation; the other processes of the
    deployment (gunicorn workers, `python run.py scheduler`) see it within seconds and re-read config/.
    """

    __tablename__ = "config_state"
    id: int = Field(default=1, primary_key=True)
    generation: int = 0
    digest: str = Field(default="", max_length=64)  # sha256 of the config files the reloading process read
    reloaded_at: datetime | None = utc_field()
    reloaded_by: str = Field(default="", max_length=200)  # host and process id
