"""Regression guard on the shared hand-annotated corpus. Raise the floors as the extractor improves."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sources.extraction import ExtractionError, extract

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT.parent / "shared" / "eval"
OVERALL_F1_FLOOR = 0.92
DETECTION_F1_FLOOR = 0.95


@pytest.fixture(scope="module")
def corpus():
    if not (EVAL / "score.py").exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the shared evaluation corpus at {EVAL}")
        pytest.skip("the shared evaluation corpus is not here (a user's clone)")
    return EVAL


def test_dev_corpus_scores_above_the_floor(corpus, tmp_path):
    files = sorted((corpus / "dev").glob("*.txt")) + sorted((corpus / "dev").glob("*.html"))
    lines = []
    for f in files:
        try:
            lines.append(json.dumps(extract(f.read_bytes()).to_dict(file=f.name), ensure_ascii=False))
        except ExtractionError as exc:
            lines.append(json.dumps({"file": f.name, "error": str(exc)}))
    pred = tmp_path / "dev.jsonl"
    pred.write_text("\n".join(lines), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, str(corpus / "score.py"), str(corpus / "dev"), str(pred)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.strip()}
    overall = float(out.strip().splitlines()[-1].split()[-1])
    detection = float(rows["detection"][3])
    assert overall >= OVERALL_F1_FLOOR, out
    assert detection >= DETECTION_F1_FLOOR, out
