#!/usr/bin/env bash
# Installs the project into .venv/ from its lock (pip-tools' pip-compile output, every file
# hash-checked), so what is installed is what was tested, whatever PyPI released since:
#   bash tools/install.sh app   what `python run.py` needs   (requirements/app.txt)
#   bash tools/install.sh dev   the same plus the test tools  (requirements/dev.txt)
# The project itself goes in editable, with no dependencies of its own choosing and built with
# the locked setuptools. VENV=path picks another environment. Re-lock with `bash tools/lock.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-app}"
case "$which" in
  app|dev) ;;
  *) echo "usage: bash tools/install.sh app|dev" >&2; exit 2 ;;
esac
venv="${VENV:-.venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$venv/bin/python" -m pip install -q --require-hashes -r "requirements/$which.txt"
"$venv/bin/python" -m pip install -q --no-deps --no-build-isolation -e .
