"""Per-language scores on the real set: ``python scripts/score_by_language.py GOLD_DIR PRED.jsonl``.

Runs ../shared/eval/score.py on each language's subset (gold files are named LANG-NN.gold.json).
"""

import subprocess
import sys
import tempfile
from pathlib import Path

gold_dir, pred, score = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
langs = sorted({p.name.split("-")[0] for p in gold_dir.glob("*.gold.json")})
print(f"{'lang':6} {'n':>3} {'overall':>8} {'detect':>7}")
for lang in langs:
    with tempfile.TemporaryDirectory() as tmp:
        for p in gold_dir.glob(f"{lang}-*.gold.json"):
            (Path(tmp) / p.name).symlink_to(p.resolve())
        lines = [ln for ln in pred.read_text().splitlines() if f'"file": "{lang}-' in ln]
        (Path(tmp) / "pred.jsonl").write_text("\n".join(lines) + "\n")
        out = subprocess.run([sys.executable, str(score), tmp, str(Path(tmp) / "pred.jsonl")],
                             capture_output=True, text=True).stdout  # fmt: skip
    overall = next((ln.split()[-1] for ln in out.splitlines() if ln.startswith("overall F1")), "?")
    detect = next((ln.split()[3] for ln in out.splitlines() if ln.startswith("detection")), "?")
    print(f"{lang:6} {len(list(gold_dir.glob(f'{lang}-*.gold.json'))):>3} {overall:>8} {detect:>7}")
