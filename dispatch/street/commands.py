"""`check-config`: validate config/ the way start-up does, and print every problem (file: key: reason)."""
from __future__ import annotations

import click

from dispatch import settings
from dispatch.cli import HELP_OPTIONS, fail
from dispatch.street.config import ConfigError, load_config


@click.command("check-config", context_settings=HELP_OPTIONS, help="validate config/ and print every problem")
def check_config() -> None:
    """Validate config/ and print every problem (file, key, reason); exit 1 on any."""
    directory = settings.config_dir()
    try:
        cfg = load_config(directory)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(f"{problem.file}: {problem.key}: {problem.reason}")
        fail(f"{len(exc.problems)} problem(s) in {directory}")
    click.echo(f"config OK: {cfg.summary()}")


COMMANDS = [check_config]
