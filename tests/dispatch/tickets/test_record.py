"""The case record (留痕) holds against its own database: append-only below the app, guarded by the app's
database role, and every timeline's hash chain checked by `python run.py audit verify`."""
from __future__ import annotations

import io
import json
import struct
import threading
import uuid
import zlib

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from dispatch.cli import main
from dispatch.tickets import record
from tests.dispatch.helpers import report, ticket_of
from tests.dispatch.lifecycle import act, get, make_street, new_report, upload
from tests.helpers import make_test_app


@pytest.fixture
def database_url(both_backends_url):
    return both_backends_url


def png(shade: int) -> bytes:
    """A valid 1×1 PNG of its own colour (a photo with its own sha256)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes([0, shade, 0, 0])))
            + chunk(b"IEND", b""))


@pytest.fixture
def handled(client, make_user, clock, inspector, command):
    """A ticket reported, dispatched (deadline history), signed for, with a photo: (street, ticket id)."""
    street = make_street(client, make_user, clock, inspector, command)
    ticket = new_report(street)
    act(street, street.sanitation, ticket["id"], "accept")
    upload(street, street.sanitation, ticket["id"], png(1))
    return street, ticket["id"]


def refused(engine, statement: str, params: dict | None = None) -> str:
    """The database's refusal of `statement` (the test fails if it is carried out)."""
    with pytest.raises(sa.exc.DBAPIError) as caught:
        with engine.begin() as conn:
            conn.execute(sa.text(statement), params or {})
    return str(caught.value.orig)


def audit(monkeypatch, capsys, url: str, *args: str) -> tuple[int, dict]:
    monkeypatch.setenv("DATABASE_URL", url)
    code = main(["audit", "verify", "--json", *args])
    return code, json.loads(capsys.readouterr().out)


def test_the_owner_can_neither_change_nor_delete_the_record(app, handled):
    # The forgery of the issue: rewrite a step's note and actor, delete a step, a deadline change or a
    # photo's row — as the tables' owner (the app's own connection). Each is refused by the database.
    street, ticket_id = handled
    before = get(street, ticket_id)
    engine = app.extensions["db_engine"]
    with engine.begin() as conn:  # an escalation row, as the sweep writes them
        conn.execute(sa.text("INSERT INTO escalations (ticket_id, deadline, level, round, due_at, created_at, "
                             "caught_up) VALUES (:t, 'response', 0, 1, :at, :at, :no)"),
                     {"t": ticket_id, "at": street.clock.now, "no": False})
        conn.execute(sa.text("INSERT INTO evaluations (ticket_id, committee, responsiveness, handling, evaluator_id, "
                             "at) VALUES (:t, '310107020018', 'satisfied', 'satisfied', "
                             "(SELECT min(id) FROM users), :at)"), {"t": ticket_id, "at": street.clock.now})
        # an assist task's escalation row (吹哨报到), as the assist sweep writes them
        conn.execute(sa.text("INSERT INTO assist_tasks (ticket_id, department, task, state, created_at, created_by, "
                             "checkin_limit, checkin_due, task_limit, task_due) VALUES (:t, 'police', '核查', "
                             "'pending', :at, 1, '2 WH', :at, '3 WD', :at)"), {"t": ticket_id, "at": street.clock.now})
        conn.execute(sa.text("INSERT INTO assist_escalations (task_id, ticket_id, deadline, level, due_at, created_at, "
                             "caught_up) SELECT id, ticket_id, 'checkin', 0, :at, :at, :no FROM assist_tasks"),
                     {"at": street.clock.now, "no": False})
    for table in [t for t in record.RECORD_TABLES if not t.startswith("followup_")]:  # 回访's: tests/dispatch/followup
        with engine.connect() as conn:
            assert conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE ticket_id = :t"),
                                {"t": ticket_id}).scalar() >= 1, table  # something to forge
        assert "append-only" in refused(engine, f"DELETE FROM {table} WHERE ticket_id = :t", {"t": ticket_id})
        assert "append-only" in refused(engine, f"UPDATE {table} SET ticket_id = ticket_id WHERE ticket_id = :t",
                                        {"t": ticket_id})
    assert "append-only" in refused(engine, "UPDATE timeline SET note = '无', actor_name = '伪造' WHERE ticket_id = :t",
                                    {"t": ticket_id})
    after = get(street, ticket_id)
    assert (after["timeline"], after["deadline_history"], after["photos"]) == (
        before["timeline"], before["deadline_history"], before["photos"])


def test_the_app_works_with_the_triggers_on_and_audit_verify_finds_the_record_intact(handled, monkeypatch,
                                                                                     capsys, database_url):
    # Every step of a ticket's life (report, dispatch, 签收, photo, 处置完成, 核查) only ever adds rows.
    street, ticket_id = handled
    act(street, street.sanitation, ticket_id, "resolve", note="已清理")
    act(street, street.inspector, ticket_id, "verify", passed=True)
    assert get(street, ticket_id)["status"] == "closed"
    code, verdict = audit(monkeypatch, capsys, database_url)
    assert (code, verdict["intact"], verdict["breaks"], verdict["unprotected_tables"]) == (0, True, [], [])
    assert verdict["entries"] == len(get(street, ticket_id)["timeline"]) >= 6


def test_the_sweeps_escalation_steps_join_each_tickets_chain(app, handled, monkeypatch, capsys, database_url):
    # The sweep writes its levels' steps in bulk, many tickets at once: each joins its own ticket's chain.
    from datetime import timedelta

    from dispatch import db
    from dispatch.escalation import sweep

    street, ticket_id = handled
    other = new_report(street)["id"]
    with app.app_context():
        for days in (1, 3, 8):  # past the deadlines, then up the ladder
            found = sweep.sweep(session=db.session(), config=app.extensions["street_config"],
                                now=street.clock.now + timedelta(days=days))
            db.session().commit()
            assert found, days
    steps = {t: [s["action"] for s in get(street, t)["timeline"]] for t in (ticket_id, other)}
    assert all(actions.count("escalate") >= 2 for actions in steps.values()), steps
    act(street, street.sanitation, ticket_id, "resolve")  # and a step after them follows on
    code, verdict = audit(monkeypatch, capsys, database_url)
    assert (code, verdict["breaks"]) == (0, [])


def _behind_the_triggers(engine, *statements: str) -> None:
    """Run `statements` with the timeline's triggers out of the way, as a superuser could, then put them back."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("ALTER TABLE timeline DISABLE TRIGGER USER"))
        else:
            record.remove(conn, ("timeline",))
        for statement in statements:
            conn.execute(sa.text(statement))
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("ALTER TABLE timeline ENABLE TRIGGER USER"))
        else:
            record.install(conn, ("timeline",))


@pytest.mark.parametrize(("forgery", "broken"), [
    ("UPDATE timeline SET note = '现场已处理完毕' WHERE id = {second}", "second"),  # a note rewritten
    ("UPDATE timeline SET actor_name = '王五' WHERE id = {second}", "second"),  # who did it
    ("DELETE FROM timeline WHERE id = {second}", "third"),  # a step removed: the next one no longer follows
])
def test_audit_verify_finds_the_first_step_changed_behind_its_back(app, handled, monkeypatch, capsys, database_url,
                                                                   forgery, broken):
    street, ticket_id = handled
    other = new_report(street)["id"]  # another ticket's record stays intact
    engine = app.extensions["db_engine"]
    with engine.connect() as conn:
        ids = conn.execute(sa.text("SELECT id FROM timeline WHERE ticket_id = :t ORDER BY id"),
                           {"t": ticket_id}).scalars().all()
    entry = {"second": ids[1], "third": ids[2]}
    _behind_the_triggers(engine, forgery.format(**entry))

    code, verdict = audit(monkeypatch, capsys, database_url)
    assert code == 1 and not verdict["intact"] and verdict["unprotected_tables"] == []
    assert [(b["ticket_id"], b["entry_id"]) for b in verdict["breaks"]] == [(ticket_id, entry[broken])]
    assert verdict["breaks"][0]["number"] == get(street, ticket_id)["number"]
    assert audit(monkeypatch, capsys, database_url, "--ticket", str(other))[0] == 0
    code, one = audit(monkeypatch, capsys, database_url, "--ticket", get(street, ticket_id)["number"])
    assert code == 1 and one["breaks"] == verdict["breaks"] and one["tickets"] == 1


def test_audit_verify_says_when_a_record_table_lost_its_triggers(app, handled, monkeypatch, capsys, database_url):
    engine = app.extensions["db_engine"]
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("ALTER TABLE photos DISABLE TRIGGER photos_no_delete"))
        else:
            conn.execute(sa.text("DROP TRIGGER photos_no_delete"))
    code, verdict = audit(monkeypatch, capsys, database_url)
    assert (code, verdict["breaks"], verdict["unprotected_tables"]) == (1, [], ["photos"])
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["audit", "verify"]) == 1
    assert "not append-only (triggers missing or disabled): photos" in capsys.readouterr().out


def test_audit_verify_of_an_unknown_ticket_is_a_usage_error(app, monkeypatch, capsys, database_url):
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["audit", "verify", "--ticket", "YC-20990101-0001"]) == 2
    assert "no ticket 'YC-20990101-0001'" in capsys.readouterr().err


@pytest.mark.postgres
def test_photos_sent_at_once_to_one_ticket_follow_each_other_in_its_chain(app, handled, monkeypatch, capsys,
                                                                          database_url):
    # Each photo adds a timeline step; written at the same time they must not both follow the same step.
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time")
    street, ticket_id = handled
    clients = [app.test_client() for _ in range(6)]
    answers: list[int] = []
    start = threading.Barrier(len(clients))

    def send(index: int) -> None:
        start.wait()
        response = clients[index].post(f"/api/v1/tickets/{ticket_id}/photos", headers=street.sanitation,
                                       data={"photo": (io.BytesIO(png(10 + index)), "p.png"),
                                             "stage": "after"}, content_type="multipart/form-data")
        answers.append(response.status_code)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [201] * len(clients)
    code, verdict = audit(monkeypatch, capsys, database_url)
    assert (code, verdict["breaks"]) == (0, [])


# --- the app's database role (PostgreSQL) ---

@pytest.fixture
def app_role(postgres_url):
    """A role owning no table, granted by `python run.py db grant` (dropped afterwards)."""
    role = f"dispatch_app_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE ROLE "{role}" NOLOGIN'))
    try:
        yield role
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP OWNED BY "{role}"'))
            conn.execute(sa.text(f'DROP ROLE "{role}"'))
        admin.dispose()


def as_role(url: str, role: str) -> str:
    """`url` with the session running as `role` (what a deployment's DATABASE_URL user would be)."""
    parsed = make_url(url)
    return parsed.update_query_dict({"options": f"{parsed.query['options']} -crole={role}"}).render_as_string(
        hide_password=False)


@pytest.mark.postgres
def test_the_apps_role_adds_to_the_record_and_can_neither_change_it_nor_drop_its_guard(
        postgres_url, app_role, tmp_path, clock, config_dir, monkeypatch, capsys):
    # The deployment of the README: the owner makes the schema and runs `db grant ROLE`; the app connects as ROLE.
    make_test_app(postgres_url, tmp_path=tmp_path, clock=clock, config_dir=config_dir).extensions["db_engine"].dispose()
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    assert main(["db", "grant", app_role]) == 0
    from dispatch.tickets import record

    append_only = ", ".join(record.APPEND_ONLY_TABLES)  # the case record, and every other append-only table
    assert append_only.startswith("timeline, deadline_changes, escalations, photos, ")
    assert append_only.endswith(", emergency_log, monthly_reports")
    assert f"GRANT SELECT, INSERT ON {append_only} TO {app_role};" in capsys.readouterr().out

    url = as_role(postgres_url, app_role)
    app = make_test_app(url, tmp_path=tmp_path, clock=clock, config_dir=config_dir)  # starts as that role
    try:
        from dispatch import db
        from dispatch.users import service

        with app.app_context():
            heads = {}
            for name, role, department in (("insp", "inspector", None), ("san", "department", "sanitation")):
                _, token = service.create(session=db.session(), username=name, role=role, department=department,
                                          now=clock.now, departments={"sanitation"})
                heads[name] = {"Authorization": f"Bearer {token}"}
        client = app.test_client()
        ticket = ticket_of(report(client, heads["insp"]))
        assert client.post(f"/api/v1/tickets/{ticket['id']}/actions", json={"action": "accept"},
                           headers=heads["san"]).status_code == 200
        assert client.post(f"/api/v1/tickets/{ticket['id']}/photos", headers=heads["san"],
                           data={"photo": (io.BytesIO(png(2)), "p.png"), "stage": "after"},
                           content_type="multipart/form-data").status_code == 201
        timeline = client.get(f"/api/v1/tickets/{ticket['id']}", headers=heads["insp"]).get_json()["ticket"]["timeline"]
        assert [step["action"] for step in timeline][-2:] == ["accept", "photo"]

        engine = app.extensions["db_engine"]
        for table in record.RECORD_TABLES:
            for statement in (f"UPDATE {table} SET ticket_id = ticket_id", f"DELETE FROM {table}",
                              f"TRUNCATE {table} CASCADE"):
                assert "permission denied" in refused(engine, statement), statement
        assert "must be owner" in refused(engine, "ALTER TABLE timeline DISABLE TRIGGER USER")
        assert "must be owner" in refused(engine, "DROP TRIGGER timeline_no_update ON timeline")
        assert audit(monkeypatch, capsys, url)[0] == 0  # the role may run the check too
    finally:
        app.extensions["db_engine"].dispose()

    owner = sa.create_engine(postgres_url)  # and the owner meets the triggers
    assert "append-only" in refused(owner, "UPDATE timeline SET note = '伪造'")
    assert "append-only" in refused(owner, "TRUNCATE timeline CASCADE")
    owner.dispose()


def test_db_grant_refuses_sqlite(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'dispatch.sqlite3'}")
    assert main(["db", "grant", "dispatch_app"]) == 2
    assert "SQLite has no roles" in capsys.readouterr().err
