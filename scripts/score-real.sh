#!/usr/bin/env bash
# Score the extractor on the real articles (rebuilt into eval-texts/real, see ../shared/eval/real/README.md)
# and on the dev corpus. Usage: scripts/score-real.sh [--verbose]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
EVAL=${EVAL:-../shared/eval}
$PY manage.py extract --jsonl eval-texts/real/*.txt > /tmp/real.jsonl
$PY manage.py extract --jsonl "$EVAL"/dev/*.txt "$EVAL"/dev/*.html > /tmp/dev.jsonl
echo "== real"; python3 "$EVAL"/score.py "$EVAL"/real/gold /tmp/real.jsonl "$@"
echo "== dev"; python3 "$EVAL"/score.py "$EVAL"/dev /tmp/dev.jsonl | tail -3
python3 scripts/score_by_language.py "$EVAL"/real/gold /tmp/real.jsonl "$EVAL"/score.py
