"""Extraction throughput on one core, beside trafilatura's text extraction alone on the same inputs.

    .venv/bin/python bench/extract.py [--repeat 100] [--dir eval-texts/real]

Inputs: the real articles when rebuilt (eval-texts/real), else the dev corpus (../shared/eval/dev).
When neither is there, it stops with an error rather than measure something else: the four demo
articles are no benchmark (pass ``--dir demo/articles`` to time them on purpose).
Prints medians over --runs runs, each language analyser's load time (in a fresh process, so the
first use is what is timed), and the peak resident memory with every analyser loaded.

    .venv/bin/python bench/extract.py --noise /tmp/trafilatura/tests/eval

``--noise DIR``: every page of a folder of ordinary web pages (trafilatura's 922 evaluation pages:
``fetch`` the repository ``adbar/trafilatura`` and unpack its ``tests/eval``): how many crash, how
many are refused with a reason, and how many are said to hold a deal (a false alarm on the desk).
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sources.extraction import extract  # noqa: E402
from sources.extraction.decode import decode  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    real = ROOT / "eval-texts" / "real"
    ap.add_argument("--dir", default=str(real if real.exists() else ROOT.parent / "shared" / "eval" / "dev"))
    ap.add_argument("--repeat", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--noise", type=Path, help="a folder of ordinary web pages: crashes and false deals")
    a = ap.parse_args()
    if a.noise:
        noise(a.noise)
        return
    folder = Path(a.dir)
    inputs = [p.read_bytes() for p in sorted(folder.glob("*.txt")) + sorted(folder.glob("*.html"))]
    if not inputs:
        sys.exit(f"bench/extract.py: no articles in {folder} ({'empty' if folder.is_dir() else 'absent'}). Rebuild "
                 f"eval-texts/real (../shared/eval/real/README.md) or make ../shared/eval/dev available, or pass "
                 f"--dir explicitly; refusing to fall back to other inputs.")  # fmt: skip
    one, five, fifteen = os.getloadavg()
    print(f"host load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min) on {os.cpu_count()} cores")
    load_times()
    import trafilatura

    texts = [decode(raw)[0] for raw in inputs]
    extract(inputs[0])  # warm caches (CLDR names, rate tables) once per process
    pipeline, traf = [], []
    n = len(inputs) * a.repeat
    for _ in range(a.runs):
        t0 = time.perf_counter()
        for _ in range(a.repeat):
            for raw in inputs:
                extract(raw)
        pipeline.append(n / (time.perf_counter() - t0))
        t0 = time.perf_counter()
        for _ in range(a.repeat):
            for text in texts:
                trafilatura.extract(text)
        traf.append(n / (time.perf_counter() - t0))
    # The fair baseline: HTML pages only, where trafilatura does real work (on scraped text it
    # finds no markup and returns at once). Same pages, same process, alternating.
    html = [raw for raw, text in zip(inputs, texts, strict=True) if "<html" in text[:2000].lower()]
    html_texts = [decode(raw)[0] for raw in html]
    html_pipe, html_traf = [], []
    if html:
        reps = a.repeat * 5
        for _ in range(a.runs):
            t0 = time.perf_counter()
            for _ in range(reps):
                for raw in html:
                    extract(raw)
            html_pipe.append(len(html) * reps / (time.perf_counter() - t0))
            t0 = time.perf_counter()
            for _ in range(reps):
                for text in html_texts:
                    trafilatura.extract(text)
            html_traf.append(len(html) * reps / (time.perf_counter() - t0))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    p, t = statistics.median(pipeline), statistics.median(traf)
    print(f"inputs: {len(inputs)} files from {folder} x {a.repeat} = {n} articles per run, {a.runs} runs")
    print(f"whole pipeline:         {p:8.1f} articles/s (median)")
    print(f"trafilatura alone:      {t:8.1f} articles/s (median)")
    print(f"pipeline / trafilatura: {p / t:8.2f}")
    if html:
        hp, ht = statistics.median(html_pipe), statistics.median(html_traf)
        print(
            f"HTML pages only ({len(html)}): pipeline {hp:.1f}/s, trafilatura.extract {ht:.1f}/s, ratio {hp / ht:.2f}"
        )
    print(f"peak RSS:               {peak_mb:8.1f} MB")
    one, five, fifteen = os.getloadavg()
    print(f"host load average after: {one:.2f} / {five:.2f} / {fifteen:.2f}")


def noise(folder: Path) -> None:
    from sources.extraction import ExtractionError

    files = sorted(folder.glob("*.htm*")) + sorted(folder.glob("*.txt"))
    if not files:
        sys.exit(f"bench/extract.py --noise: no pages in {folder}")
    one, five, fifteen = os.getloadavg()
    print(f"host load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores")
    with_deal, refused, crashed, by_language = 0, 0, [], {}
    t0 = time.perf_counter()
    for f in files:
        try:
            result = extract(f.read_bytes())
        except ExtractionError:
            refused += 1
            continue
        except Exception as exc:  # a crash is what this counts
            crashed.append(f"{f.name}: {type(exc).__name__}: {exc}")
            continue
        if result.deals:
            with_deal += 1
            by_language[result.language] = by_language.get(result.language, 0) + 1
    took = time.perf_counter() - t0
    print(f"{len(files)} pages in {took:.0f} s ({len(files) / took:.1f} pages/s, trafilatura's cleaning included)")
    print(f"said to hold a deal: {with_deal} ({with_deal / len(files):.1%}) by language {by_language}")
    print(f"refused with a reason: {refused}; crashed: {len(crashed)}")
    for line in crashed[:20]:
        print("  crash", line)
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if crashed:
        sys.exit(1)


LOAD_SNIPPETS = {
    "ko (Kiwi)": "from sources.extraction.languages import ko; ko.names('가나다는 독일 바커와 협약을 체결했다.', [(0, 20)])",
    "ja (Sudachi)": "from sources.extraction.languages import ja; ja.names('青葉精機と協約を結んだ。', [(0, 11)])",
    "zh (jieba)": "from sources.extraction.languages import zh; zh.names('德国克劳斯集团签署协议。', [(0, 11)])",
    "ru (Natasha)": "from sources.extraction.languages import ru; ru.names('ООО «Ромашка» подписало соглашение.', [(0, 30)])",
    "places (GeoNames)": "from sources.extraction import lexicon; lexicon.is_place('Seoul')",
}


def load_times() -> None:
    """Each analyser's first use in a fresh interpreter: what a worker pays once per process."""
    import subprocess

    for name, snippet in LOAD_SNIPPETS.items():
        code = f"import sys, time; sys.path.insert(0, {str(ROOT)!r}); t = time.perf_counter(); {snippet}; "
        code += "import resource; print(f'{time.perf_counter() - t:.2f} s, peak RSS '"
        code += "f'{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB')"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip()
        print(f"load {name:18} {out}")


if __name__ == "__main__":
    main()
