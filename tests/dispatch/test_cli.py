"""`python run.py ...`: users and tokens, check-config — what the street's IT person types."""
from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from dispatch.cli import main
from tests.dispatch.helpers import INTERIOR, report, ticket_of

TOKEN_LINE = re.compile(r"token.*: (yc_\S+)\s*$", re.MULTILINE)


@pytest.fixture
def env(tmp_path, config_dir, monkeypatch):
    """The environment a real installation runs with, pointing at a private database and config copy."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DISPATCH_CONFIG_DIR", str(config_dir))
    monkeypatch.setenv("DISPATCH_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SECRET_KEY", "cli-test-secret")
    monkeypatch.delenv("DISPATCH_ENV", raising=False)
    return {"url": url, "config_dir": config_dir}


@pytest.fixture
def api(env):
    """A client of the app the CLI's environment describes (same database, same config)."""
    from dispatch import create_app

    apps = []

    def client():
        app = create_app({"TESTING": True})
        apps.append(app)
        return app.test_client()

    yield client
    for app in apps:
        app.extensions["db_engine"].dispose()


def run(capsys, *argv) -> tuple[int, str, str]:
    """Run `python run.py argv...`; returns (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def token_in(out: str) -> str:
    found = TOKEN_LINE.findall(out)
    assert len(found) == 1, out
    return found[0]


def users_table(url: str) -> list[dict]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.text("SELECT * FROM users"))]
    engine.dispose()
    return rows


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_users_add_prints_a_token_that_works_on_the_api(env, api, capsys):
    # The admin creates an inspector for 香溢片区 and hands over the printed token; the phone uses it.
    code, out, _ = run(capsys, "users", "add", "wang", "--role", "inspector", "--zone", "xiangyi", "--name", "王巡查")
    assert code == 0
    token = token_in(out)
    assert "shown once" in out
    client = api()
    ticket = ticket_of(report(client, bearer(token), at=INTERIOR["xiangyi"]))
    assert ticket["zone"] == "xiangyi"
    assert client.get("/api/v1/tickets", headers=bearer(token)).get_json()["count"] == 1
    timeline = client.get(f"/api/v1/tickets/{ticket['id']}", headers=bearer(token)).get_json()["ticket"]["timeline"]
    assert (timeline[0]["actor"], timeline[0]["actor_role"]) == ("王巡查", "inspector")


def test_only_the_tokens_sha256_is_stored(env, capsys):
    # A copy of the database does not hand out working tokens: no column holds the token itself.
    token = token_in(run(capsys, "users", "add", "wang", "--role", "inspector")[1])
    (row,) = users_table(env["url"])
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in str(value) for value in row.values())


def test_users_add_a_committee_user(env, capsys):
    code, out, _ = run(capsys, "users", "add", "jw", "--role", "committee", "--committee", "310107020018")
    assert code == 0 and "role committee" in out
    code, out, _ = run(capsys, "users", "list")
    assert "jw" in out and "310107020018" in out


@pytest.mark.parametrize("argv, message", [
    # a department user must say which department
    (["users", "add", "li", "--role", "department"], "needs --department"),
    # a department that config/departments.toml does not have
    (["users", "add", "li", "--role", "department", "--department", "fire_brigade"], "unknown department"),
    # a zone that config/zones.geojson does not have
    (["users", "add", "li", "--role", "inspector", "--zone", "changfeng"], "unknown zone"),
    # a password too short to be one
    (["users", "add", "li", "--role", "command", "--password", "short"], "at least 8 characters"),
    # an empty or space-laden name cannot sign in
    (["users", "add", "", "--role", "command"], "a username is"),
    (["users", "add", "li ming", "--role", "command"], "a username is"),
    # attributes that mean nothing for the role are refused, not silently stored
    (["users", "add", "li", "--role", "command", "--department", "sanitation"], "for department users only"),
    (["users", "add", "li", "--role", "command", "--zone", "xiangyi"], "for inspectors only"),
    # a 居委 user must name its 居民区, one of config/committees.toml, and only a 居委 names one
    (["users", "add", "li", "--role", "committee"], "needs --committee CODE"),
    (["users", "add", "li", "--role", "committee", "--committee", "310107020999"], "unknown committee"),
    (["users", "add", "li", "--role", "inspector", "--committee", "310107020018"], "for committee (居委) users only"),
])
def test_users_add_refuses_bad_arguments(env, capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert message in err
    assert "token" not in out.lower()
    assert users_table(env["url"]) == []  # nothing half-made: the admin can simply retry


def test_users_add_refuses_a_taken_name(env, capsys):
    # Usernames are unique; the second add fails and the first token keeps working.
    assert run(capsys, "users", "add", "li", "--role", "command")[0] == 0
    code, _, err = run(capsys, "users", "add", "li", "--role", "inspector")
    assert code == 1 and "exists" in err
    assert len(users_table(env["url"])) == 1


def test_unknown_role_is_a_usage_error(env, capsys):
    # argparse refuses a role outside inspector/department/command/admin (exit 2, like any usage error).
    with pytest.raises(SystemExit) as info:
        main(["users", "add", "li", "--role", "boss"])
    assert info.value.code == 2


def test_department_user_is_created_with_its_department(env, api, capsys):
    # 城管's desk account: it sees tickets routed to 城管.
    token = token_in(run(capsys, "users", "add", "cg", "--role", "department", "--department", "chengguan")[1])
    client = api()
    assert client.get("/api/v1/tickets", headers=bearer(token)).status_code == 200
    assert client.post("/api/v1/events", json={}, headers=bearer(token)).status_code == 403


def test_users_passwd_sets_a_password_hash(env, capsys):
    # The desk page signs in with a password; only a scrypt hash is stored.
    run(capsys, "users", "add", "zhang", "--role", "command")
    code, out, _ = run(capsys, "users", "passwd", "zhang", "--password", "correct horse")
    assert code == 0 and "password set" in out
    (row,) = users_table(env["url"])
    assert row["password_hash"].startswith("scrypt:")
    assert "correct horse" not in row["password_hash"]

    from dispatch import create_app, db
    from dispatch.users import service

    app = create_app({"TESTING": True})
    with app.app_context():
        now = datetime.now(UTC)
        assert service.check_password(session=db.session(), username="zhang", password="correct horse", now=now)
        assert service.check_password(session=db.session(), username="zhang", password="wrong horse",
                                      now=now) is None
    app.extensions["db_engine"].dispose()


@pytest.mark.parametrize("argv, message", [
    # nobody of that name
    (["users", "passwd", "nobody", "--password", "long enough"], "no user 'nobody'"),
    (["users", "token", "nobody"], "no user 'nobody'"),
    # too short
    (["users", "passwd", "zhang", "--password", "1234567"], "at least 8 characters"),
])
def test_users_passwd_and_token_refuse(env, capsys, argv, message):
    run(capsys, "users", "add", "zhang", "--role", "command")
    code, _, err = run(capsys, *argv)
    assert code == 1 and message in err


def test_users_token_rotates_and_the_old_token_stops_working(env, api, capsys):
    # A phone was lost: the admin issues a new token; the old one is refused from then on.
    old = token_in(run(capsys, "users", "add", "wang", "--role", "inspector", "--zone", "xiangyi")[1])
    code, out, _ = run(capsys, "users", "token", "wang")
    assert code == 0
    new = token_in(out)
    assert new != old
    client = api()
    assert client.get("/api/v1/tickets", headers=bearer(old)).status_code == 401
    assert client.get("/api/v1/tickets", headers=bearer(new)).status_code == 200


def test_users_list(env, capsys):
    # The admin sees who exists, with role, department and zone — and no secrets.
    run(capsys, "users", "add", "wang", "--role", "inspector", "--zone", "xiangyi")
    token = token_in(run(capsys, "users", "add", "cg", "--role", "department", "--department", "chengguan")[1])
    code, out, _ = run(capsys, "users", "list")
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert "wang" in lines[0] and "inspector" in lines[0] and "xiangyi" in lines[0]
    assert "cg" in lines[1] and "chengguan" in lines[1]
    assert token not in out


def test_commands_refuse_to_run_on_a_broken_config(env, capsys):
    # `users add` on a broken config/ explains the problem instead of a traceback.
    (env["config_dir"] / "routing.toml").write_text('[[rule]]\ndepartment = "nobody"\n', encoding="utf-8")
    code, _, err = run(capsys, "users", "add", "wang", "--role", "inspector")
    assert code == 1
    assert "routing.toml: rule.0.department: unknown department 'nobody'" in err


# --- check-config ---------------------------------------------------------------------------------------

def test_check_config_on_the_shipped_config(env, capsys):
    # The shipped folder is fine: exit 0 and a one-line summary.
    code, out, _ = run(capsys, "check-config")
    assert code == 0
    assert "config OK" in out
    assert "12 departments" in out and "25 categories" in out and "3 zones" in out


def test_check_config_prints_every_problem(env, capsys):
    # Three mistakes in three files: each printed on its own line as file: key: reason; exit 1.
    config_dir = env["config_dir"]
    routing = config_dir / "routing.toml"
    routing.write_text(routing.read_text(encoding="utf-8").replace('"river_office"', '"river_ofice"'),
                       encoding="utf-8")
    categories = config_dir / "categories.toml"
    categories.write_text(categories.read_text(encoding="utf-8").replace('response = "4 WH"', 'response = "4 XX"', 1),
                          encoding="utf-8")
    (config_dir / "zones.geojson").write_text("{oops", encoding="utf-8")
    code, out, err = run(capsys, "check-config")
    assert code == 1
    lines = out.strip().splitlines()
    # each names the entry a person can find in the file: the 7th [[rule]], the category by code and slug
    assert "routing.toml: rule.6.department: unknown department 'river_ofice' — in [[rule]] no. 7" in lines
    assert any(line.startswith("categories.toml: category.0.response: unknown limit unit 'XX'")
               and "in [[category]] no. 1 (06001 illegal_construction" in line for line in lines)
    assert any(line.startswith("zones.geojson: (file): not valid JSON") for line in lines)
    assert len(lines) == 3
    assert "3 problem(s)" in err


def test_init_db_creates_the_schema(env, capsys):
    # `python run.py init-db` prepares an empty database and exits 0.
    assert run(capsys, "init-db")[0] == 0
    engine = sa.create_engine(env["url"])
    assert {"tickets", "users", "departments"} <= set(sa.inspect(engine).get_table_names())
    engine.dispose()


@pytest.mark.parametrize("argv, environ, expected", [
    ([], {}, ("127.0.0.1", 5000, False)),                                   # plain `python run.py`
    (["--port", "5099"], {}, ("127.0.0.1", 5099, False)),                   # options without `serve`
    (["serve", "--host", "0.0.0.0", "--no-scheduler"], {}, ("0.0.0.0", 5000, True)),
    ([], {"PORT": "8088", "HOST": "127.0.0.2"}, ("127.0.0.2", 8088, False)),  # PORT / HOST from the environment
])
def test_serve_takes_host_and_port(env, monkeypatch, argv, environ, expected):
    from dispatch import cli, commands

    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    seen = {}
    monkeypatch.setattr(commands, "serve", lambda app, **options: seen.update(options))
    assert cli.main(argv) == 0
    assert (seen["host"], seen["port"], seen["no_scheduler"]) == expected


def test_users_disable_stops_the_token_at_once_and_enable_restores_it(env, api, capsys):
    code, out, _ = run(capsys, "users", "add", "li", "--role", "inspector", "--zone", "xiangyi")
    headers = bearer(token_in(out))
    client = api()
    assert client.get("/api/v1/tickets", headers=headers).status_code == 200
    assert run(capsys, "users", "disable", "li")[:2] == (0, "li disabled\n")
    assert client.get("/api/v1/tickets", headers=headers).status_code == 401
    assert "(inactive)" in run(capsys, "users", "list")[1]
    assert run(capsys, "users", "enable", "li")[0] == 0
    assert client.get("/api/v1/tickets", headers=headers).status_code == 200
    assert run(capsys, "users", "disable", "nobody")[0] == 1


def test_backup_snapshots_the_database_and_the_photos(env, api, capsys, tmp_path):
    import io
    import sqlite3

    code, out, _ = run(capsys, "users", "add", "wang", "--role", "inspector", "--zone", "xiangyi")
    headers = bearer(token_in(out))
    client = api()
    ticket = ticket_of(report(client, headers, at=INTERIOR["xiangyi"]))
    from tests.dispatch.helpers import PNG as png
    resp = client.post(f"/api/v1/tickets/{ticket['id']}/photos", headers=headers, content_type="multipart/form-data",
                       data={"photo": (io.BytesIO(png), "p.png"), "stage": "before"})
    assert resp.status_code == 201
    target = tmp_path / "backups"
    code, out, err = run(capsys, "backup", "--to", str(target))
    assert code == 0, err
    snapshot = next(target.glob("dispatch-*.sqlite3"))
    with sqlite3.connect(snapshot) as conn:  # a complete, openable copy with the ticket in it
        assert conn.execute("SELECT number FROM tickets").fetchall() == [(ticket["number"],)]
    digest = resp.get_json()["photo"]["sha256"]
    assert (target / "photos" / digest[:2] / digest).read_bytes() == png
    assert "photos: 1 new file(s)" in out
    assert "photos: 0 new file(s)" in run(capsys, "backup", "--to", str(target))[1]  # photos copied once


# --- browser sessions ------------------------------------------------------------------------------------

def signed_in_browser(api, username: str, password: str, agent: str = "Mozilla/5.0 test"):
    """A browser (test client) signed in as `username` through the sign-in page."""
    client = api()
    client.environ_base["HTTP_USER_AGENT"] = agent
    client.get("/login")
    with client.session_transaction() as session:
        csrf = session["csrf_token"]
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": csrf})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def is_signed_in(browser) -> bool:
    return browser.get("/api/v1/tickets?mine=1").status_code == 200


@pytest.mark.parametrize("argv", [
    ["users", "passwd", "wang", "--password", "a-new-password"],  # the old password leaked: everyone is out
    ["users", "disable", "wang"],                                  # stays out after `users enable` too
])
def test_a_new_password_or_disabling_ends_the_users_browser_sessions(env, api, capsys, argv):
    run(capsys, "users", "add", "wang", "--role", "inspector", "--zone", "xiangyi", "--password", "first-password")
    run(capsys, "users", "add", "li", "--role", "inspector", "--zone", "xiangyi", "--password", "li-password")
    phone, desktop = signed_in_browser(api, "wang", "first-password"), signed_in_browser(api, "wang", "first-password")
    colleague = signed_in_browser(api, "li", "li-password")
    assert run(capsys, *argv)[0] == 0
    run(capsys, "users", "enable", "wang")
    assert not is_signed_in(phone) and not is_signed_in(desktop)
    assert is_signed_in(colleague)  # another user's session is untouched


def test_users_sessions_lists_open_sessions_and_users_logout_ends_them(env, api, capsys):
    # A phone was lost while signed in: the admin sees where wang is signed in and ends it all.
    token = token_in(run(capsys, "users", "add", "wang", "--role", "inspector", "--zone", "xiangyi",
                         "--password", "first-password")[1])
    phone = signed_in_browser(api, "wang", "first-password", agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)")
    desktop = signed_in_browser(api, "wang", "first-password", agent="Mozilla/5.0 (Windows NT 10.0)")
    code, out, _ = run(capsys, "users", "sessions", "wang")
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 2
    assert "(Windows NT 10.0)" in lines[0] and "(iPhone; CPU iPhone OS 17_0)" in lines[1]  # last seen first
    assert all(re.search(r"started \d{4}-\d\d-\d\d \d\d:\d\d  last seen \d{4}-\d\d-\d\d \d\d:\d\d  127\.0\.0\.1 ",
                         line) for line in lines), lines
    assert run(capsys, "users", "logout", "wang")[:2] == (0, "2 session(s) of wang ended\n")
    assert not is_signed_in(phone) and not is_signed_in(desktop)
    assert api().get("/api/v1/tickets", headers=bearer(token)).status_code == 200  # the API token is not a session
    assert run(capsys, "users", "sessions", "wang")[1] == "no open sessions\n"
    assert run(capsys, "users", "logout", "wang")[1] == "0 session(s) of wang ended\n"
    for command in ("sessions", "logout"):
        code, _, err = run(capsys, "users", command, "nobody")
        assert code == 1 and "no user 'nobody'" in err


# --- the same commands on `flask --app dispatch …`, and the environment read by dispatch.settings -----------

def test_flask_runs_the_same_commands_on_the_app_it_made(env, capsys):
    # `flask --app dispatch users list` works on the app Flask made, with the same output and exit codes.
    from dispatch import create_app

    run(capsys, "users", "add", "wang", "--role", "inspector", "--zone", "xiangyi")
    app = create_app({"TESTING": True})
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["users", "list"])
    assert listed.exit_code == 0 and "wang" in listed.stdout and "xiangyi" in listed.stdout
    refused = runner.invoke(args=["users", "token", "nobody"])
    assert refused.exit_code == 1 and "no user 'nobody'" in refused.stderr
    assert {"serve", "users", "check-config", "init-db", "db", "sweep", "scheduler", "backup"} <= set(app.cli.commands)
    app.extensions["db_engine"].dispose()


@pytest.mark.parametrize("name, value, message", [
    ("PORT", "http", "PORT='http': expected a port number"),            # not a number
    ("PORT", "70000", "PORT='70000': expected a port number"),          # beyond the last port
    ("LOG_LEVEL", "loud", "LOG_LEVEL='LOUD': expected DEBUG, INFO"),    # not a logging level
    ("DISPATCH_SCHEDULER", "maybe", "DISPATCH_SCHEDULER='maybe': expected true/false"),
    ("DISPATCH_COOKIE_SECURE", "sometimes", "DISPATCH_COOKIE_SECURE='sometimes': expected true/false"),
    ("DISPATCH_COCKPIT_SNAPSHOT_SECONDS", "soon", "DISPATCH_COCKPIT_SNAPSHOT_SECONDS='soon': expected seconds"),
    ("DISPATCH_COCKPIT_SNAPSHOT_SECONDS", "-5", "DISPATCH_COCKPIT_SNAPSHOT_SECONDS='-5': expected seconds"),
])
def test_a_bad_environment_value_stops_with_its_name(env, monkeypatch, capsys, name, value, message):
    # Fails fast with a message naming the variable, not a traceback; nothing is served.
    from dispatch import commands

    monkeypatch.setenv(name, value)
    monkeypatch.setattr(commands, "serve", lambda app, **options: pytest.fail("served"))
    code, _, err = run(capsys)
    assert code == 1 and message in err


def test_secrets_and_data_are_private_to_the_user(env, api, capsys, tmp_path, monkeypatch):
    # Started from an ordinary shell (umask 022), the generated secret, the SQLite database, the photos and
    # the backups were 0644 in 0755 folders: any account of the machine could read them. Now 0600 / 0700.
    import io
    import os
    import stat

    var, elsewhere = tmp_path / "var", tmp_path / "offsite"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{var / 'dispatch.sqlite3'}")  # the default place
    monkeypatch.delenv("SECRET_KEY")  # development: the key is generated into var/secret_key
    previous = os.umask(0o022)
    try:
        code, out, _ = run(capsys, "users", "add", "wang", "--role", "inspector", "--zone", "xiangyi")
        headers = bearer(token_in(out))
        client = api()
        ticket = ticket_of(report(client, headers, at=INTERIOR["xiangyi"]))
        from tests.dispatch.helpers import PNG as png
        photo = client.post(f"/api/v1/tickets/{ticket['id']}/photos", headers=headers,
                            content_type="multipart/form-data",
                            data={"photo": (io.BytesIO(png), "p.png"), "stage": "before"})
        assert photo.status_code == 201
        for url in (photo.get_json()["photo"]["url"], photo.get_json()["photo"]["thumb_url"]):  # the stamped copies
            assert client.get(url, headers=headers).status_code == 200
        assert run(capsys, "backup")[0] == 0  # into var/backups/
        assert run(capsys, "backup", "--to", str(elsewhere))[0] == 0
    finally:
        os.umask(previous)
    assert (var / "secret_key").is_file() and (var / "dispatch.sqlite3").is_file()
    made = [var, *var.rglob("*"), elsewhere, *elsewhere.rglob("*")]
    for folder in ("photos", "served", "thumbnails", "backups"):
        assert any(p.is_file() for p in (var / folder).rglob("*")), folder
    loose = [f"{p.relative_to(tmp_path)} {stat.S_IMODE(p.stat().st_mode):o}" for p in made
             if stat.S_IMODE(p.stat().st_mode) != (0o700 if p.is_dir() else 0o600)]
    assert loose == []


def test_an_existing_world_readable_var_is_closed_at_start(env, api, tmp_path):
    import stat

    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)  # made by an earlier version, or by hand
    api()
    assert stat.S_IMODE(var.stat().st_mode) == 0o700


@pytest.fixture
def library_log_levels():
    """main() quiets the libraries' loggers for the process; give the other tests their levels back."""
    import logging

    from dispatch.cli import QUIET_LOGGERS

    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_start_up_says_in_one_line_where_it_listens_and_which_database(env, monkeypatch, caplog,
                                                                       library_log_levels):
    # At INFO a start prints one line of ours; the scheduler's per-run lines ("Running job", "executed
    # successfully") and waitress's own "Serving on" stay out, a job's warning still shows.
    import logging

    import waitress

    def fake_waitress(app, **options):
        logging.getLogger("apscheduler.executors.default").info('Running job "escalation sweep"')
        logging.getLogger("apscheduler.executors.default").warning('Run time of job "x" was missed by 0:01:00')
        logging.getLogger("waitress").info("Serving on http://127.0.0.1:5099")

    monkeypatch.setattr(waitress, "serve", fake_waitress)
    caplog.set_level(logging.INFO)
    assert main(["--port", "5099"]) == 0
    ours = [r.getMessage() for r in caplog.records if r.name == "dispatch.commands"]
    assert ours == [f"serving on http://127.0.0.1:5099 — database {env['url']}, scheduler in this process"]
    library = [(r.levelname, r.getMessage()) for r in caplog.records if r.name.startswith(("apscheduler", "waitress"))]
    assert library == [("WARNING", 'Run time of job "x" was missed by 0:01:00')]


def test_the_start_up_line_hides_the_database_password(env, monkeypatch):
    from dispatch import create_app
    from dispatch.commands import startup_line

    app = create_app({"TESTING": True})
    app.config["DATABASE_URL"] = "postgresql+psycopg://dispatch:s3cret@db.internal/dispatch"
    line = startup_line(app, host="0.0.0.0", port=5000, scheduler_running=False)
    app.extensions["db_engine"].dispose()
    assert "s3cret" not in line and "postgresql+psycopg://dispatch:***@db.internal/dispatch" in line
