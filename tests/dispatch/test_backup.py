"""`python run.py backup`: an interrupted backup leaves nothing that a later one keeps, and a backup taken while
reports arrive restores (README, Operations) into an app that serves every ticket it holds, with its photos."""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import sqlite3
import struct
import threading
import zlib
from pathlib import Path

import pytest

from dispatch import backup
from dispatch.cli import main
from tests.dispatch.helpers import INTERIOR, event, offset, report, ticket_of
from tests.helpers import make_test_app


def png(shade: int) -> bytes:
    """A valid 1×1 PNG of its own colour (its own sha256)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixel = zlib.compress(bytes([0, shade % 256, shade // 256 % 256, 7]))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", pixel) + chunk(b"IEND", b""))


def report_with_photo(client, headers, n: int) -> dict:
    """Report an event at its own point (no duplicate) with a photo of its own; the ticket."""
    lng, lat = offset(*INTERIOR["xiangyi"], east_m=60.0 * (n % 7) - 180, north_m=60.0 * (n // 7 % 7) - 180)
    ticket = ticket_of(report(client, headers, event(at=(lng, lat), description=f"第 {n} 处垃圾")))
    answer = client.post(f"/api/v1/tickets/{ticket['id']}/photos", headers=headers, content_type="multipart/form-data",
                         data={"photo": (io.BytesIO(png(n)), "p.png"), "stage": "before"})
    assert answer.status_code == 201, answer.get_json()
    return ticket


def take(app, tmp_path: Path, target: Path) -> backup.Backup:
    return backup.snapshot(app.extensions["db_engine"], var_dir=tmp_path / "var", target=target, now=app.config["CLOCK"]())


def test_a_truncated_photo_left_in_the_backup_is_copied_again(app, client, inspector, tmp_path):
    # An older backup was cut off while copying a photo: the file has its final name and half its bytes.
    report_with_photo(client, inspector, 1)
    digest = hashlib.sha256(png(1)).hexdigest()
    target = tmp_path / "backups"
    truncated = target / "photos" / digest[:2] / digest
    truncated.parent.mkdir(parents=True)
    truncated.write_bytes(png(1)[:20])
    leftover = truncated.parent / f".{digest[:8]}.abc.tmp"  # and a temporary file of an interrupted copy
    leftover.write_bytes(b"half")
    os.utime(leftover, (0, 0))

    made = take(app, tmp_path, target)
    assert (made.photos_copied, made.photos_repaired, made.damaged_sources) == (1, 1, [])
    assert truncated.read_bytes() == png(1) and not leftover.exists()
    again = take(app, tmp_path, target)
    assert (again.photos_copied, again.photos_repaired) == (0, 0)  # checked, kept


def test_an_interrupted_backup_leaves_no_file_under_a_final_name(app, client, inspector, tmp_path, monkeypatch):
    report_with_photo(client, inspector, 1)
    target = tmp_path / "backups"
    calls = {"n": 0}
    real_fsync = os.fsync

    def power_cut_at(n: int):
        def fsync(fd):
            calls["n"] += 1
            if calls["n"] == n:
                raise KeyboardInterrupt("power cut")
            return real_fsync(fd)
        return fsync

    monkeypatch.setattr(os, "fsync", power_cut_at(1))  # while the database snapshot is written
    with pytest.raises(KeyboardInterrupt):
        take(app, tmp_path, target)
    assert [p.name for p in target.rglob("*") if p.is_file()] == []

    calls["n"] = 0
    monkeypatch.setattr(os, "fsync", power_cut_at(2))  # while the photo is copied
    with pytest.raises(KeyboardInterrupt):
        take(app, tmp_path, target)
    assert [p.parent.name == "backups" for p in target.rglob("*") if p.is_file()] == [True]  # the snapshot only

    monkeypatch.setattr(os, "fsync", real_fsync)
    assert take(app, tmp_path, target).photos_copied == 1  # the next backup completes it


def test_a_backup_taken_while_reports_arrive_restores_every_ticket_with_its_photos(app, inspector, command,
                                                                                    tmp_path, clock, config_dir,
                                                                                    monkeypatch, capsys):
    reporter = app.test_client()
    for n in range(3):
        report_with_photo(reporter, inspector, n)
    done, after, errors = threading.Event(), [], []

    def keep_reporting() -> None:
        n = 3
        try:
            while not done.is_set() or not after:
                ticket = report_with_photo(reporter, inspector, n)
                if done.is_set():
                    after.append(ticket)
                n += 1
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=keep_reporting)
    thread.start()
    try:
        made = take(app, tmp_path, tmp_path / "backups")
    finally:
        done.set()
        thread.join(timeout=120)
    assert errors == [] and after, errors

    # Restore as README, Operations says: the snapshot as the database, the photos folder into var/.
    restored = tmp_path / "restored"
    (restored / "var").mkdir(parents=True)
    shutil.copy(made.database, restored / "var" / "dispatch.sqlite3")
    shutil.copytree(made.photos, restored / "var" / "photos")
    with sqlite3.connect(made.database) as conn:
        held = dict(conn.execute("SELECT id, number FROM tickets").fetchall())
        photos = conn.execute("SELECT ticket_id, sha256 FROM photos").fetchall()
    # the three reported before, each with its photo; a report may be in the snapshot before its photo
    assert len(held) >= 3 and len(photos) >= 3

    url = f"sqlite:///{restored / 'var' / 'dispatch.sqlite3'}"
    again = make_test_app(url, tmp_path=restored, clock=clock, config_dir=config_dir)
    try:
        client = again.test_client()
        for ticket_id, number in held.items():
            answer = client.get(f"/api/v1/tickets/{ticket_id}", headers=command)
            assert answer.status_code == 200 and answer.get_json()["ticket"]["number"] == number
            for photo in answer.get_json()["ticket"]["photos"]:
                served = client.get(photo["url"] + "?original=1", headers=command)  # the record's bytes
                assert served.status_code == 200
                assert hashlib.sha256(served.data).hexdigest() == photo["sha256"]
        served_photos = sum(len(client.get(f"/api/v1/tickets/{t}", headers=command).get_json()["ticket"]["photos"])
                            for t in held)
        assert served_photos == len(photos)
    finally:
        again.extensions["db_engine"].dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["audit", "verify"]) == 0  # and its record is intact
    assert "intact" in capsys.readouterr().out
