"""Every input up to the 5 MB limit is read in at most 10 s and 500 MB beyond the loaded
analysers, or refused with a clear reason: the cases that took minutes before (a quadratic
<script> stripper, a name lookup per match, unbounded sentences) and a few more.

The cases run in one child process, so the analysers (Kiwi, Sudachi, jieba, Natasha, GeoNames)
load once and their memory is measured apart from what each input costs: the child resets its
peak RSS (``/proc/self/clear_refs``) before each case.
"""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECONDS, MEGABYTES = 10.0, 500

CHILD = textwrap.dedent(
    r"""
    import json, random, sys, time
    sys.path.insert(0, sys.argv[1])
    from sources.extraction import ExtractionError, extract

    def rss(field):
        for line in open("/proc/self/status"):
            if line.startswith(field):
                return int(line.split()[1]) // 1024

    random.seed(7)
    words = ["invest", "agreement", "signed", "company", "the", "with", "million", "plant", "deal", "Korea"]
    five_mb = 5 * 1024 * 1024
    cases = {
        "a 5 MB line of words": " ".join(random.choice(words) for _ in range(900_000)),
        "5 MB of capitalised words": " ".join(random.choice(words).title() for _ in range(900_000)),
        "5 MB of Hangul without a space": "가나다라마바사아자차카타파하투자협약체결" * 90_000,
        "5 MB of repeated <script": "<script" * 750_000,
        "100 KB of <script then text": "<script" * 15_000 + "<p>Ostrava Metals signed a deal.</p>",
        "5 MB of unclosed tags": "<div><p><b>" * 480_000,
        "5 MB of one deal sentence repeated": "Nordvik Systems signed an agreement to invest $40 million. " * 90_000,
        "5 MB of Korean deal sentences": "경상북도는 독일 하르텐베르크와 200만 유로 규모의 투자협약을 체결했다. " * 60_000,
        "5 MB of Japanese without punctuation": "日本の青葉精機と投資協約を結んだ" * 110_000,
        "5 MB of digits and currency signs": "$1,000,000 " * 470_000,
        "5 MB of brackets": "(((((((((([[[[[[[[[[" * 260_000,
        "zero-width and bidi marks": ("\u200b\u202e투자\u200d협약" * 300_000),
    }
    # Load every analyser once, outside the measurement.
    for warm in ["산업부는 독일 바커와 투자협약을 체결했다.", "Nordvik signed a deal.", "青葉精機と協約を結んだ。",
                 "德国克劳斯集团与江苏省签署协议。", "ООО «Ромашка» подписало соглашение.",
                 "Die Grauwerk AG hat einen Vertrag unterzeichnet."]:
        extract(warm.encode())
    base = rss("VmRSS:")
    out = {}
    for name, text in cases.items():
        open("/proc/self/clear_refs", "w").write("5")  # peak RSS starts again from here
        raw = text.encode()[:five_mb]
        t = time.monotonic()
        try:
            result = f"{len(extract(raw).deals)} deals"
        except ExtractionError as exc:
            result = f"refused: {exc}"
        out[name] = {"seconds": time.monotonic() - t, "megabytes": rss("VmHWM:") - base, "result": result}
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def measured():
    proc = subprocess.run([sys.executable, "-c", CHILD, str(ROOT)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_every_pathological_input_is_read_or_refused_within_the_bounds(measured):
    slow = {k: v for k, v in measured.items() if v["seconds"] > SECONDS or v["megabytes"] > MEGABYTES}
    assert not slow, json.dumps(measured, indent=1, ensure_ascii=False)


def test_a_refusal_names_the_stage_it_stopped_before(measured):
    for case in measured.values():
        if case["result"].startswith("refused"):
            assert "too slow" in case["result"] or "no article text" in case["result"] or "input" in case["result"]
