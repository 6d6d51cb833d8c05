"""`users …`: accounts, API tokens and sign-in sessions from the command line (what the street's admin types)."""
from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

import click
from sqlmodel import Session

from dispatch import clock, db
from dispatch.cli import HELP_OPTIONS, command_app, fail
from dispatch.users import service, web_sessions
from dispatch.users.models import Role, User, WebSession

if TYPE_CHECKING:  # annotations only: users needs nothing of the street at run time
    from dispatch.street.config import StreetConfig


@click.group("users", context_settings=HELP_OPTIONS, help="manage users")
def users() -> None:
    """The `users` commands."""


@contextmanager
def _working() -> Iterator[tuple[Session, StreetConfig, datetime]]:
    """The app's session, street config and `now`, in an app context; a UserError ends the command (exit 1)."""
    app = command_app()
    with app.app_context():
        try:
            yield db.session(), app.extensions["street_config"], clock.now()
        except service.UserError as exc:
            fail(f"error: {exc}")


@users.command("add", help="create a user and print its API token once")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--department")
@click.option("--zone")
@click.option("--committee", help="a 居委's 12-digit code (config/committees.toml), for --role committee")
@click.option("--name", default="", help="display name")
@click.option("--password", help="also set a sign-in password (else use `users passwd`)")
def add(username: str, role: str, department: str | None, zone: str | None, committee: str | None, name: str,
        password: str | None) -> None:
    with _working() as (session, config, now):
        if password is not None:
            service.check_password_rules(password)  # before creating: no half-made user
        user, token = service.create(session=session, username=username, role=role, now=now, department=department,
                                     zone=zone, display_name=name, departments=set(config.departments),
                                     zones={z.code for z in config.zones}, committee=committee,
                                     committees=set(config.committees.by_code))
        if password:
            service.set_password(session=session, user=user, password=password, now=now)
        click.echo(f"created user {user.username} (id {user.id}, role {user.role})")
        click.echo(f"API token (shown once, store it now): {token}")


@users.command("passwd", help="set a user's sign-in password (asks twice)")
@click.argument("username")
@click.option("--password", help="non-interactive (visible in shell history)")
def passwd(username: str, password: str | None) -> None:
    with _working() as (session, _config, now):
        user = _user(session, username)
        service.set_password(session=session, user=user, password=password or _ask_password(), now=now)
        click.echo(f"password set for {user.username}; their browser sessions are ended")


@users.command("token", help="issue a new API token (the old one stops working)")
@click.argument("username")
def token(username: str) -> None:
    with _working() as (session, _config, _now):
        user = _user(session, username)
        new = service.rotate_token(session=session, user=user)
        click.echo(f"new API token for {user.username} (shown once): {new}")


@users.command("list", help="list users")
def list_users() -> None:
    with _working() as (session, _config, _now):
        for u in service.list_all(session=session):
            click.echo(f"{u.id:>4} {u.username:<20} {u.role:<10} {u.department or '-':<18} {u.zone or u.committee or '-'}"
                       f"{'' if u.active else ' (inactive)'}")


@users.command("disable", help="stop a user: token and sign-in refused, sessions ended (nothing is deleted)")
@click.argument("username")
def disable(username: str) -> None:
    _set_active(username, active=False)


@users.command("enable", help="let a disabled user work again")
@click.argument("username")
def enable(username: str) -> None:
    _set_active(username, active=True)


def _set_active(username: str, *, active: bool) -> None:
    with _working() as (session, _config, now):
        user = _user(session, username)
        service.set_active(session=session, user=user, now=now, active=active)
        click.echo(f"{user.username} {'enabled' if user.active else 'disabled'}")


@users.command("sessions", help="list a user's open browser sessions: started, last seen, address, browser")
@click.argument("username")
def sessions(username: str) -> None:
    with _working() as (session, config, now):
        rows = web_sessions.list_open(session=session, user_id=_user(session, username).id, now=now)
        _print_sessions(rows, config.calendar.timezone)


@users.command("logout", help="end all of a user's browser sessions (the API token keeps working)")
@click.argument("username")
def logout(username: str) -> None:
    with _working() as (session, _config, now):
        user = _user(session, username)
        ended = web_sessions.revoke_all(session=session, user_id=user.id, now=now)
        click.echo(f"{ended} session(s) of {user.username} ended")


def _user(session: Session, username: str) -> User:
    user = service.get_by_username(session=session, username=username)
    if user is None:
        raise service.UserError(f"no user {username!r}", "unknown_user")
    return user


def _print_sessions(rows: list[WebSession], tz: tzinfo) -> None:
    """One line per open session: started, last seen (local time), address, browser."""
    def local(at):
        return at.astimezone(tz).strftime("%Y-%m-%d %H:%M")

    if not rows:
        click.echo("no open sessions")
    for row in rows:
        click.echo(f"started {local(row.created_at)}  last seen {local(row.last_seen_at)}  "
                   f"{row.remote_addr or '-':<15}  {row.user_agent or '-'}")


def _ask_password() -> str:
    first = getpass.getpass("new password: ")
    if first != getpass.getpass("again: "):
        raise service.UserError("the passwords differ", "passwords_differ")
    return first


COMMANDS = [users]
