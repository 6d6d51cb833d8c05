#!/usr/bin/env bash
# Writes the dependency locks from pyproject.toml with pip-tools (pip-compile), hashes included:
#   requirements/app.txt  what `python run.py` needs (with the postgres extra)
#   requirements/dev.txt  app.txt's pins plus the test tools (the dev extra), for .ci/run
# Extra arguments go to both pip-compile runs:
#   bash tools/lock.sh                          re-lock, keeping every pin that still fits
#   bash tools/lock.sh --upgrade                every package to its newest allowed release
#   bash tools/lock.sh --upgrade-package flask  one package (and what it needs) only
# Then prove the new lock with `bash .ci/run` and commit requirements/ with the result.
set -euo pipefail
cd "$(dirname "$0")/.."
tool_env="build/lock-tool"
if [ ! -x "$tool_env/bin/pip-compile" ]; then
  python -m venv "$tool_env"
  "$tool_env/bin/python" -m pip install -q --disable-pip-version-check 'pip-tools==7.7.0'
fi
# Local pip settings (extra indexes, find-links, constraint files) must not shape a lock
# that every machine installs from.
export PIP_CONFIG_FILE=/dev/null
common=(--quiet --generate-hashes --allow-unsafe --all-build-deps --strip-extras --resolver=backtracking
        --no-emit-index-url --no-emit-trusted-host --no-emit-find-links
        --constraint requirements/constraints.in)
"$tool_env/bin/pip-compile" "${common[@]}" --extra postgres \
  --output-file requirements/app.txt "$@" pyproject.toml
"$tool_env/bin/pip-compile" "${common[@]}" --extra dev --constraint requirements/app.txt \
  --output-file requirements/dev.txt "$@" pyproject.toml
echo "lock: requirements/app.txt $(grep -c '==' requirements/app.txt) pins," \
     "requirements/dev.txt $(grep -c '==' requirements/dev.txt) pins"
