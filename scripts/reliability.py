"""Confidence → share of correct fields, on a scored set: the table in docs/extraction.md.

    python scripts/reliability.py ../shared/eval/real/gold /tmp/real.jsonl ../shared/eval/score.py

A predicted deal's fields (each party name, country, amount, kind, date, government body) are
correct when they match a gold fact of the same article, by the scorer's own rules.
"""

import importlib.util
import json
import sys
from collections import defaultdict
from pathlib import Path

gold_dir, pred_path, score_path = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
spec = importlib.util.spec_from_file_location("score", score_path)
score = importlib.util.module_from_spec(spec)
spec.loader.exec_module(score)

BUCKETS = [(0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)]
right, total, deals = defaultdict(int), defaultdict(int), defaultdict(int)
golds = {p.name[: -len(".gold.json")]: json.loads(p.read_text()) for p in gold_dir.glob("*.gold.json")}
for line in pred_path.read_text().splitlines():
    obj = json.loads(line)
    stem = Path(obj.get("file", "")).stem
    if stem not in golds:
        continue
    g = score.gold_facts(golds[stem])
    for deal in obj.get("deals", []):
        bucket = next(b for b in BUCKETS if b[0] <= deal["confidence"] < b[1])
        deals[bucket] += 1
        facts = score.predicted_facts({"deals": [deal]})
        for key, values in facts.items():
            same = score._same(key)
            for v in values:
                total[bucket] += 1
                right[bucket] += any(same(v, x) for grp in g[key] for x in grp)
print("| confidence | deals | fields | correct |")
print("|---|---|---|---|")
for b in BUCKETS:
    if total[b]:
        print(f"| {b[0]:.1f}–{min(b[1], 1.0):.1f} | {deals[b]} | {total[b]} | {right[b] / total[b]:.0%} |")
