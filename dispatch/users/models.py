"""Users (巡查员, 部门, 城运中心, admin) and their credentials (hashes only)."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from dispatch.types import utc_field


class Role(StrEnum):
    inspector = "inspector"    # 网格巡查员
    department = "department"  # 处置部门
    command = "command"        # 城运中心
    admin = "admin"
    committee = "committee"    # 居委 (居民委员会): sees its 居民区, reports (约请), evaluates


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    display_name: str = ""
    role: str = Field(max_length=16)
    department: str | None = Field(default=None, max_length=64)
    zone: str | None = Field(default=None, max_length=64)
    committee: str | None = Field(default=None, max_length=12)  # a 居委 user's 居民区 (committees.toml code)
    token_hash: str | None = Field(default=None, index=True, unique=True, max_length=64)
    password_hash: str | None = None
    active: bool = True
    failed_logins: int = 0  # consecutive wrong passwords; reset by a success
    locked_until: datetime | None = utc_field()  # sign-in refused until then (too many wrong passwords)
    created_at: datetime = utc_field(nullable=False)


class UserPublic(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    department: str | None
    zone: str | None
    committee: str | None = None


class WebSession(SQLModel, table=True):
    """A signed-in browser (登录会话): the cookie carries a random secret, this row only its sha256.

    Open while `revoked_at` is empty and `expires_at` is ahead; sign-out, a new password, disabling
    the user and `users logout` set `revoked_at`, so a copy of the cookie stops working at once.
    """

    __tablename__ = "web_sessions"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    secret_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = utc_field(nullable=False)
    last_seen_at: datetime = utc_field(nullable=False)
    expires_at: datetime = utc_field(nullable=False, index=True)
    revoked_at: datetime | None = utc_field()
    user_agent: str = Field(default="", max_length=256)
    remote_addr: str = Field(default="", max_length=64)


class SignInFailures(SQLModel, table=True):
    """Wrong sign-ins from one network address in its current window, whatever the user names (a limit per address)."""

    __tablename__ = "sign_in_failures"
    address: str = Field(primary_key=True, max_length=64)
    window_start: datetime = utc_field(nullable=False, index=True)
    failures: int = 0
