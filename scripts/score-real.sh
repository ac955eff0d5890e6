#!/usr/bin/env bash
# Score the extractor on the real articles (rebuilt into eval-texts/real, see ../shared/eval/real/README.md)
# and on the dev corpus. Usage: scripts/score-real.sh [--cv K] [--verbose]
#   --cv K: the honest figure. Each page is extracted by a model trained on the other K-1 folds
#   (stratified by language; the dev corpus is always training data, never scored), then scored;
#   the in-sample figure (the shipped model, trained on every page) follows for comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
EVAL=${EVAL:-../shared/eval}
CV=0
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --cv) CV=$2; shift 2 ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
# Score only the pages whose text was rebuilt (one publisher's page may be gone).
GOLD=$(mktemp -d)
trap 'rm -rf "$GOLD"' EXIT
for f in eval-texts/real/*.txt; do ln -s "$(realpath "$EVAL/real/gold/$(basename "$f" .txt).gold.json")" "$GOLD/"; done
held_back='^(ko-(3[3-9]|4[0-9]|5[0-6])|en-(2[1-9]|3[0-9]|4[0-6])|ja-0[5-7]|zh-0[45]|ru-0[4-6]|de-03)\.'
subset() {  # subset GOLD_DIR PRED REGEX: score only the pages whose name matches
  local dir; dir=$(mktemp -d)
  for g in "$1"/*.gold.json; do basename "$g" | grep -qE "$3" && ln -s "$(realpath "$g")" "$dir/"; done
  grep -E "\"file\": \"${3#^}" "$2" > "$dir/pred.jsonl" || true
  python3 "$EVAL"/score.py "$dir" "$dir/pred.jsonl" | tail -1
  rm -rf "$dir"
}
if [ "$CV" != 0 ]; then
  $PY manage.py train_extractor --cv "$CV" --predictions /tmp/real-cv.jsonl
  echo "== real, ${CV}-fold cross-validated (pages each model never saw)"
  python3 "$EVAL"/score.py "$GOLD" /tmp/real-cv.jsonl ${ARGS[@]+"${ARGS[@]}"}
  python3 scripts/score_by_language.py "$GOLD" /tmp/real-cv.jsonl "$EVAL"/score.py
  echo "== the 59 pages held back from the rules (ko-33…, en-21…), cross-validated"
  subset "$GOLD" /tmp/real-cv.jsonl "$held_back"
fi
$PY manage.py extract --jsonl eval-texts/real/*.txt > /tmp/real.jsonl
$PY manage.py extract --jsonl "$EVAL"/dev/*.txt "$EVAL"/dev/*.html > /tmp/dev.jsonl
echo "== real, in-sample (the shipped model was trained on these pages: training error)"
python3 "$EVAL"/score.py "$GOLD" /tmp/real.jsonl ${ARGS[@]+"${ARGS[@]}"}
python3 scripts/score_by_language.py "$GOLD" /tmp/real.jsonl "$EVAL"/score.py
echo "== dev (regression guard)"; python3 "$EVAL"/score.py "$EVAL"/dev /tmp/dev.jsonl | tail -3
