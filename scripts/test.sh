#!/usr/bin/env bash
# One command to run the whole test suite. Uses DATABASE_URL / REDIS_URL when set (CI sets both
# to the real services); without them, SQLite and no broker (worker tests are then skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
