"""Pathological inputs up to the 5 MB limit: seconds and peak memory of each, against a 10 s target.

    .venv/bin/python bench/pathological.py [--json] [--seconds 10] [--megabytes 500]

The cases that took minutes before (a quadratic <script> stripper, a name lookup per match,
unbounded sentences) and a few more. Every analyser (Kiwi, Sudachi, jieba, Natasha, GeoNames) is
loaded first, outside the measurement, and the peak RSS is reset (``/proc/self/clear_refs``)
before each case, so each figure is what that input costs. The baseline in the same run is one
ordinary demo article. The time target is a benchmark figure, not a test: on a loaded 2-core
machine the same case took 13-15 s. ``tests/sources/test_pathological.py`` runs this script and
checks what holds on any machine (the extractor's own time budget, memory, the refusals' reasons).
Exit status 1 when a case misses a target.
"""

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sources.extraction import ExtractionError, extract  # noqa: E402

FIVE_MB = 5 * 1024 * 1024
WARM = ["산업부는 독일 바커와 투자협약을 체결했다.", "Nordvik signed a deal.", "青葉精機と協約を結んだ。",
        "德国克劳斯集团与江苏省签署协议。", "ООО «Ромашка» подписало соглашение.",
        "Die Grauwerk AG hat einen Vertrag unterzeichnet."]  # fmt: skip


def cases() -> dict[str, str]:
    random.seed(7)
    words = ["invest", "agreement", "signed", "company", "the", "with", "million", "plant", "deal", "Korea"]
    return {
        "a 5 MB line of words": " ".join(random.choice(words) for _ in range(900_000)),
        "5 MB of capitalised words": " ".join(random.choice(words).title() for _ in range(900_000)),
        "5 MB of Hangul without a space": "가나다라마바사아자차카타파하투자협약체결" * 90_000,
        "5 MB of repeated <script": "<script" * 750_000,
        "100 KB of <script then text": "<script" * 15_000 + "<p>Ostrava Metals signed a deal.</p>",
        "5 MB of unclosed tags": "<div><p><b>" * 480_000,
        "5 MB of one deal sentence repeated": "Nordvik Systems signed an agreement to invest $40 million. " * 90_000,
        "5 MB of Korean deal sentences": "경상북도는 독일 하르텐베르크와 200만 유로 규모의 투자협약을 체결했다. "
        * 60_000,
        "5 MB of Japanese without punctuation": "日本の青葉精機と投資協約を結んだ" * 110_000,
        "5 MB of digits and currency signs": "$1,000,000 " * 470_000,
        "5 MB of brackets": "(((((((((([[[[[[[[[[" * 260_000,
        "zero-width and bidi marks": ("\u200b\u202e투자\u200d협약" * 300_000),
    }


def _rss(field: str) -> int:
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) // 1024
    return 0


def _one(raw: bytes) -> dict:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # peak RSS starts again from here
    base = _rss("VmRSS:")
    t = time.monotonic()
    try:
        result = extract(raw)
        outcome = f"{len(result.deals)} deals"
        chars = len(result.text)
    except ExtractionError as exc:
        outcome, chars = f"refused: {exc}", 0
    return {"seconds": round(time.monotonic() - t, 3), "megabytes": _rss("VmHWM:") - base, "result": outcome,
            "text_chars": chars, "input_bytes": len(raw)}  # fmt: skip


def measure() -> dict:
    for warm in WARM:
        extract(warm.encode())
    baseline = _one(sorted((ROOT / "demo" / "articles").glob("*.txt"))[0].read_bytes())
    return {"baseline": baseline, "cases": {name: _one(text.encode()[:FIVE_MB]) for name, text in cases().items()}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--megabytes", type=int, default=500)
    a = ap.parse_args()
    out = measure()
    if a.json:
        print(json.dumps(out, ensure_ascii=False))
        return
    print(f"baseline (one demo article): {out['baseline']['seconds']:.3f} s")
    print("| case | seconds | MB | result |\n|---|---|---|---|")
    missed = 0
    for name, m in out["cases"].items():
        flag = " **missed**" if m["seconds"] > a.seconds or m["megabytes"] > a.megabytes else ""
        missed += bool(flag)
        print(f"| {name} | {m['seconds']:.1f}{flag} | {m['megabytes']} | {m['result']} |")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
