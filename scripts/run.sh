#!/usr/bin/env bash
# One command to run the product locally: venv, install, migrate, demo data, admin account, server.
# Embedded default: SQLite file and in-process tasks (no PostgreSQL or Redis needed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
export DEBUG=${DEBUG:-1}
.venv/bin/python manage.py migrate --no-input

export ADDRESS=${ADDRESS:-127.0.0.1:8000}
.venv/bin/python manage.py demo
exec .venv/bin/python manage.py runserver "$ADDRESS"
