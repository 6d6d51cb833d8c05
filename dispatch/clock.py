"""The application's clock: injectable through app.config["CLOCK"] so tests never sleep."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app

from dispatch.types import utc_now


def now() -> datetime:
    """Current aware UTC instant from the app's clock."""
    return current_app.config.get("CLOCK", utc_now)().astimezone(UTC)
