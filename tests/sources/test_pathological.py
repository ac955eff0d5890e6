"""Every input up to the 5 MB limit is read or refused with a clear reason, within the extractor's
own time budget (a ceiling of nine budgets) and 500 MB beyond the loaded analysers.

The seconds each case takes depend on the machine and its load (the 5 MB Japanese case took 7 s
on a quiet machine and 13-15 s on a busy one), so the 10 s target is a benchmark,
``bench/pathological.py``, with its figures in docs/benchmarks.md. What this test holds on any
machine: the work is bounded by size (the text read is cut to ``MAX_TEXT_CHARS``), by memory, and
by the extractor's time budget, which refuses an input rather than run on; the ceiling below only
catches a stage that ignores that budget (minutes, as the quadratic cases once took).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sources.extraction import MAX_TEXT_CHARS, TIME_BUDGET_SECONDS

ROOT = Path(__file__).resolve().parents[2]
MEGABYTES = 500
# A stage may overrun the budget by its own length before the next check: the 5 MB Japanese case
# took 46 s on a 2-core machine at load average 10 (refused at the budget). Nine budgets (180 s) is
# beyond any load seen here and far below what an unbounded stage costs (the quadratic <script>
# stripper took 13-17 s on 100 KB: hours on 5 MB).
CEILING_SECONDS = 9 * TIME_BUDGET_SECONDS


@pytest.fixture(scope="module")
def measured():
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "pathological.py"), "--json"],
                          capture_output=True, text=True, timeout=900)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_every_pathological_input_is_read_or_refused_within_the_bounds(measured):
    cases = measured["cases"]
    assert len(cases) >= 12
    over = {k: v for k, v in cases.items() if v["seconds"] > CEILING_SECONDS or v["megabytes"] > MEGABYTES}
    assert not over, json.dumps(measured, indent=1, ensure_ascii=False)


def test_the_text_read_for_deals_is_cut_to_its_size_bound(measured):
    for name, case in measured["cases"].items():
        assert case["text_chars"] <= MAX_TEXT_CHARS, name
    assert any(case["input_bytes"] > 50 * MAX_TEXT_CHARS for case in measured["cases"].values())


def test_a_refusal_names_the_stage_it_stopped_before(measured):
    for case in measured["cases"].values():
        if case["result"].startswith("refused"):
            assert "too slow" in case["result"] or "no article text" in case["result"] or "input" in case["result"]


def test_the_time_budget_refuses_rather_than_runs_on():
    from sources.extraction import ExtractionError, extract_text

    with pytest.raises(ExtractionError, match="too slow: stopped"):
        extract_text("Nordvik Systems signed an agreement to invest $40 million. " * 500, budget_seconds=-1)
