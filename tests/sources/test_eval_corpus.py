"""Floors under the extractor's scores: the real articles (the measure) and the dev corpus (a
regression guard). Raise the floors as the extractor improves; never lower them to pass."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sources.extraction import ExtractionError, extract

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT.parent / "shared" / "eval"
REAL_TEXTS = ROOT / "eval-texts" / "real"  # rebuilt per session (../shared/eval/real/README.md)
DEV_OVERALL_FLOOR, DEV_DETECTION_FLOOR = 0.91, 0.95
# In-sample on the 120 rebuilt pages of 123 (the shipped model was trained on them: a regression
# floor, not the measure; the measure is `scripts/score-real.sh --cv 5`, docs/extraction.md).
REAL_OVERALL_FLOOR, REAL_DETECTION_FLOOR = 0.85, 0.93


@pytest.fixture(scope="module")
def corpus():
    if not (EVAL / "score.py").exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the shared evaluation corpus at {EVAL}")
        pytest.skip("the shared evaluation corpus is not here (a user's clone)")
    return EVAL


def _score(corpus: Path, gold: Path, files: list[Path], tmp_path: Path) -> tuple[float, float, str]:
    lines = []
    for f in files:
        try:
            lines.append(json.dumps(extract(f.read_bytes()).to_dict(file=f.name), ensure_ascii=False))
        except ExtractionError as exc:
            lines.append(json.dumps({"file": f.name, "error": str(exc)}))
    pred = tmp_path / "pred.jsonl"
    pred.write_text("\n".join(lines), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, str(corpus / "score.py"), str(gold), str(pred)], capture_output=True, text=True, check=True
    ).stdout
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.strip()}
    return float(out.strip().splitlines()[-1].split()[-1]), float(rows["detection"][3]), out


def test_dev_corpus_scores_above_the_floor(corpus, tmp_path):
    files = sorted((corpus / "dev").glob("*.txt")) + sorted((corpus / "dev").glob("*.html"))
    overall, detection, out = _score(corpus, corpus / "dev", files, tmp_path)
    assert overall >= DEV_OVERALL_FLOOR, out
    assert detection >= DEV_DETECTION_FLOOR, out


def test_real_articles_score_above_the_floor(corpus, tmp_path):
    files = sorted(REAL_TEXTS.glob("*.txt"))
    if len(files) < 100:
        pytest.skip("the real texts are not rebuilt here (eval-texts/real; CI has no search tool)")
    gold = tmp_path / "gold"  # only the pages whose text could be rebuilt
    gold.mkdir()
    for f in files:
        (gold / f"{f.stem}.gold.json").symlink_to(corpus / "real" / "gold" / f"{f.stem}.gold.json")
    overall, detection, out = _score(corpus, gold, files, tmp_path)
    assert overall >= REAL_OVERALL_FLOOR, out
    assert detection >= REAL_DETECTION_FLOOR, out
