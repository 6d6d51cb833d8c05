"""The process's own files are private: var/ (database, photos, thumbnails, backups, the generated secret).

`create_app` sets the umask to 077 before it makes anything, so every file the process creates is 0600 and
every directory 0700 — SQLite's database and its -wal/-shm files, photos, backups — whoever creates them
(SQLite, tempfile, shutil). `private_dir` also closes an existing var/ made before (0755 → 0700), so what
it holds cannot be read by other accounts of the machine, whatever the modes of the files inside.
"""
from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077  # files 0600, directories 0700
FILE_MODE = 0o600
DIR_MODE = 0o700


def private_umask() -> None:
    """Files and directories this process creates from now on are for its own user only."""
    os.umask(PRIVATE_UMASK)


def private_dir(path: str | Path) -> Path:
    """`path` created if missing, and made 0700 (a warning when it belongs to someone else)."""
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        try:
            path.chmod(DIR_MODE)
        except PermissionError:
            log.warning("%s is readable by other users and not ours to close: chmod 700 it", path)
    return path


def write_private(path: str | Path, text: str) -> None:
    """Create `path` with `text`, readable by this user only (0600 whatever the umask); it must not exist."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
