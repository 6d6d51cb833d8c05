"""The application's clock: injectable through app.config["CLOCK"] so tests never sleep.

The one place that reads it: views (through `current_app`) and scheduled jobs (given their app) alike.
"""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, current_app

from dispatch.types import utc_now


def now(app: Flask | None = None) -> datetime:
    """Current aware UTC instant from the app's clock (`app`, else the current app), else the system's."""
    config = (app or current_app).config
    return config.get("CLOCK", utc_now)().astimezone(UTC)
