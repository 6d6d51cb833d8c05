"""Backups of the embedded setup: a consistent SQLite snapshot plus the content-addressed photos.

Nothing half-written ever carries a final name: the snapshot and each photo are written under a temporary
name (`.….tmp`) in their folder and renamed when complete, so an interrupted backup leaves only temporary
files, which the next one removes. A photo is stored under its sha256, so a copy already in the backup is
checked against its name before it is kept; one that does not match (truncated by an interruption of an
older version, or damaged on disk since) is copied again. The database is copied first: every photo it
refers to was written to var/photos/ before its report was committed, so the copy made after holds it.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

DIGEST_NAME = re.compile(r"[0-9a-f]{64}")  # var/photos/ab/<sha256>
CHUNK = 1 << 20
LEFTOVER_AGE_S = 3600


class BackupError(RuntimeError):
    """The backup cannot be made here (e.g. the database is not SQLite)."""


@dataclass(frozen=True)
class Backup:
    database: Path
    photos: Path
    photos_copied: int
    photos_repaired: int = 0  # copies in the backup that did not match their sha256, copied again
    damaged_sources: list[Path] = field(default_factory=list)  # files in var/photos/ not matching their name


def snapshot(engine: Engine, *, var_dir: Path, target: Path, now: datetime) -> Backup:
    """Copy the live SQLite database with its online-backup API (safe while serving) and new photos."""
    if engine.dialect.name != "sqlite":
        raise BackupError("the database is not SQLite: back it up with its own tools (e.g. pg_dump)")
    target.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(target)
    database = target / f"dispatch-{now.strftime('%Y%m%dT%H%M%SZ')}.sqlite3"
    fd, tmp = tempfile.mkstemp(dir=target, prefix=f".{database.name}.", suffix=".tmp")
    os.close(fd)
    try:
        source = engine.raw_connection()
        try:
            dest = sqlite3.connect(tmp)
            try:
                source.driver_connection.backup(dest)
            finally:
                dest.close()
        finally:
            source.close()
        _fsync(tmp)
        os.replace(tmp, database)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return _copy_photos(var_dir / "photos", target / "photos", database=database)


def _copy_photos(source_dir: Path, target_dir: Path, *, database: Path) -> Backup:
    copied = repaired = 0
    damaged: list[Path] = []
    if source_dir.is_dir():
        _remove_leftovers(target_dir)
        for path in sorted(source_dir.rglob("*")):
            if not path.is_file() or path.name.endswith(".tmp"):
                continue
            dest = target_dir / path.relative_to(source_dir)
            checked = DIGEST_NAME.fullmatch(path.name) is not None
            if dest.exists():
                if not checked or _sha256(dest) == path.name:
                    continue
                log.warning("backup: %s does not match its sha256 (an interrupted backup?); copying it again", dest)
                repaired += 1
            digest = _copy(path, dest)
            copied += 1
            if checked and digest != path.name:
                log.error("photo %s in var/ does not match its sha256: copied as it is; restore it from an "
                          "older backup", path)
                damaged.append(path)
    return Backup(database=database, photos=target_dir, photos_copied=copied, photos_repaired=repaired,
                  damaged_sources=damaged)


def _copy(source: Path, dest: Path) -> str:
    """Copy `source` to `dest` under a temporary name, renamed when complete; the copy's sha256."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name[:8]}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync(path: str) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _remove_leftovers(folder: Path) -> None:
    """Delete the temporary files an interrupted backup left in `folder` (and below): those over an hour old,
    so a backup running at the same time keeps its own."""
    if folder.is_dir():
        for leftover in folder.rglob(".*.tmp"):
            if leftover.stat().st_mtime < time.time() - LEFTOVER_AGE_S:
                leftover.unlink(missing_ok=True)
