"""Alembic's environment: the models' metadata, batch mode for SQLite, a log line per revision applied.

`dispatch.migrations` configures Alembic from the app's DATABASE_URL and hands the connection in
`config.attributes["connection"]` (no alembic.ini): `python run.py db …` is the command line.
"""
from __future__ import annotations

import logging

from alembic import context
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

import dispatch.models  # noqa: F401  (registers every table on the metadata)

log = logging.getLogger("dispatch.migrations")


def render_item(type_, obj, autogen_context):
    """Write a TypeDecorator (UTCDateTime, SQLModel's AutoString) as the plain SQLAlchemy type it stores."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def log_revision(*, ctx, step, heads, run_args):
    """One INFO line per revision applied."""
    verb = "stamped" if step.is_stamp else "upgraded to" if step.is_upgrade else "downgraded from"
    log.info("schema %s %s: %s", verb, step.up_revision_id, step.up_revision.doc)


def run_migrations() -> None:
    context.configure(connection=context.config.attributes["connection"], target_metadata=SQLModel.metadata,
                      render_as_batch=True, render_item=render_item, compare_type=True, on_version_apply=log_revision)
    with context.begin_transaction():
        context.run_migrations()


if hasattr(context, "config"):  # run by Alembic; a plain import (the doctest walk of dispatch/) does nothing
    run_migrations()
