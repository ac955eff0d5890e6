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

.venv/bin/python manage.py demo
# The first free port from 8000 up, unless ADDRESS is given: a second checkout or another server
# on 8000 must not stop a newcomer's first start.
if [ -z "${ADDRESS:-}" ]; then
  PORT=$(.venv/bin/python -c '
import socket
for port in range(8000, 8100):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
')
  ADDRESS="127.0.0.1:$PORT"
fi
export SITE_URL="http://$ADDRESS"
echo
echo "Serving on http://$ADDRESS/  (review desk: http://$ADDRESS/admin/)"
exec .venv/bin/python manage.py runserver "$ADDRESS"
