"""Backups of the embedded setup: a consistent SQLite snapshot plus the content-addressed photos."""
from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine


class BackupError(RuntimeError):
    """The backup cannot be made here (e.g. the database is not SQLite)."""


@dataclass(frozen=True)
class Backup:
    database: Path
    photos: Path
    photos_copied: int


def snapshot(engine: Engine, *, var_dir: Path, target: Path, now: datetime) -> Backup:
    """Copy the live SQLite database with its online-backup API (safe while serving) and new photos."""
    if engine.dialect.name != "sqlite":
        raise BackupError("the database is not SQLite: back it up with its own tools (e.g. pg_dump)")
    target.mkdir(parents=True, exist_ok=True)
    database = target / f"dispatch-{now.strftime('%Y%m%dT%H%M%SZ')}.sqlite3"
    source = engine.raw_connection()
    try:
        dest = sqlite3.connect(database)
        try:
            source.driver_connection.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    photos_src, photos_dst = var_dir / "photos", target / "photos"
    copied = 0
    if photos_src.is_dir():
        for path in photos_src.rglob("*"):
            if path.is_file() and not path.name.endswith(".tmp"):
                dest_path = photos_dst / path.relative_to(photos_src)
                if not dest_path.exists():  # named by sha256: an existing file is the same photo
                    dest_path.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, dest_path)
                    copied += 1
    return Backup(database=database, photos=photos_dst, photos_copied=copied)
