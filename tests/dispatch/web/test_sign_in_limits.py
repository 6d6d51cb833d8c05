"""Sign-in under attack: wrong passwords sent at once lock the account at exactly the fifth, one address
may not try more than 20 wrong sign-ins in 15 minutes across user names, and an unknown name costs the
same password check as a known one."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from dispatch.users import service as user_service
from tests.dispatch.web.helpers import PASSWORD, csrf_of, sign_in
from tests.helpers import password_hash


@pytest.fixture
def database_url(both_backends_url):
    return both_backends_url


def failed_logins(app, username: str) -> tuple[int, bool]:
    """The account's count of wrong passwords and whether it is locked (as the database has them now)."""
    from dispatch import db

    with app.app_context():
        user = user_service.get_by_username(session=db.session(), username=username)
        db.session().refresh(user)
        return user.failed_logins, user.locked_until is not None


def at_once(app, username: str, passwords: list[str]) -> list[int]:
    """POST /login with each password from its own browser, all released together; the status codes."""
    clients = [app.test_client() for _ in passwords]
    tokens = [csrf_of(client) for client in clients]
    start = threading.Barrier(len(clients))
    answers: list[int] = []

    def attempt(client, token, password) -> None:
        start.wait()
        response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
        answers.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=args) for args in zip(clients, tokens, passwords)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def test_sixteen_wrong_passwords_at_once_lock_the_account(app, client, user_with_password, clock):
    user_with_password("xy1", "inspector", zone="xiangyi")
    assert at_once(app, "xy1", ["wrong-password"] * 16) == [401] * 16
    assert failed_logins(app, "xy1")[1]  # locked (the count starts again at 0 when the lock engages)
    assert sign_in(client, "xy1").status_code == 401  # the right password waits out the 15 minutes
    clock.set(clock.now + timedelta(minutes=15, seconds=1))
    assert sign_in(client, "xy1").status_code == 302


def test_four_wrong_passwords_at_once_are_each_counted_and_do_not_lock(app, client, user_with_password):
    user_with_password("xy1", "inspector", zone="xiangyi")
    assert at_once(app, "xy1", ["wrong-password"] * 4) == [401] * 4
    assert failed_logins(app, "xy1") == (4, False)
    assert at_once(app, "xy1", ["wrong-password"]) == [401]  # the fifth, and no more, locks it
    assert failed_logins(app, "xy1") == (0, True)
    assert sign_in(client, "xy1").status_code == 401


def test_one_address_may_fail_twenty_times_in_fifteen_minutes_across_user_names(app, user_with_password, clock,
                                                                                monkeypatch):
    # Unknown names are checked against the stand-in hash at a real password's cost (half a second each, see
    # the test below); what is counted here does not depend on that cost.
    monkeypatch.setattr(user_service, "_stand_in_hash", lambda: password_hash("stand-in"))
    user_with_password("xy1", "inspector", zone="xiangyi")
    attacker = app.test_client()
    for i in range(20):  # a password tried on many names, most of them unknown
        assert sign_in(attacker, f"user{i}", "123456").status_code == 401
    refused = sign_in(attacker, "xy1")  # even the right password of a real account
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "900"
    assert "此地址登录失败次数过多，请 15 分钟后再试" in refused.get_data(as_text=True)
    as_json = attacker.post("/login", data={"username": "xy1", "password": PASSWORD, "csrf_token": csrf_of(attacker)},
                            headers={"Accept": "application/json"})
    assert as_json.status_code == 429
    assert as_json.get_json()["error"]["code"] == "too_many_requests"

    neighbour = app.test_client()
    neighbour.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert sign_in(neighbour, "xy1").status_code == 302  # another address signs in as usual
    clock.set(clock.now + timedelta(minutes=15))
    assert sign_in(attacker, "xy1").status_code == 302  # the window is over


@pytest.mark.parametrize("who", ["unknown", "known", "disabled"])
def test_a_wrong_sign_in_checks_one_password_hash_whether_the_name_exists_or_not(app, client, user_with_password,
                                                                                 monkeypatch, who):
    # The time a sign-in takes must not tell which names exist: one scrypt check each time (made with the
    # same parameters as a real password's), not none for a name nobody has.
    user_with_password("xy1", "inspector", zone="xiangyi")
    user_with_password("gone", "inspector", zone="xiangyi")
    from dispatch import db

    with app.app_context():
        gone = user_service.get_by_username(session=db.session(), username="gone")
        user_service.set_active(session=db.session(), user=gone, active=False, now=gone.created_at)
    checked: list[str] = []
    real = user_service.check_password_hash
    monkeypatch.setattr(user_service, "check_password_hash",
                        lambda stored, password: checked.append(stored.split("$")[0]) or real(stored, password))
    name = {"unknown": "nobody", "known": "xy1", "disabled": "gone"}[who]
    assert sign_in(client, name, "wrong-password").status_code == 401
    assert len(checked) == 1
    assert checked[0].startswith("scrypt:")


def test_the_stand_in_hash_costs_what_a_real_password_costs():
    # werkzeug's scrypt with the parameters `users passwd` stores (not the cheap ones of the tests' users)
    from werkzeug.security import generate_password_hash

    real = generate_password_hash("x", method=user_service.PASSWORD_METHOD).split("$")[0]
    assert user_service._stand_in_hash().split("$")[0] == real == "scrypt:32768:8:1"
