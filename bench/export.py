"""CSV export of every approved deal through the real view, beside PostgreSQL's COPY of a plain
table holding the same rows (the physical limit: no join, no expression, just rows out), and the
COPY of the view's own SELECT.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench .venv/bin/python bench/export.py [--runs 3]

Each measurement runs in a fresh subprocess so its peak resident memory is its own. The view is
driven by Django's test client and its streamed body consumed and counted (nothing kept); COPY
writes to a counting sink in this process.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench")


def one(mode: str) -> dict:
    import django

    django.setup()
    from django.db import connection

    from deals.export import export_queryset
    from deals.selectors import public_deals

    t0 = time.perf_counter()
    size = rows = 0
    if mode == "view":
        from django.test import Client

        response = Client().get("/deals/?export=csv")
        for chunk in response.streaming_content:
            size += len(chunk)
            rows += chunk.count(b"\n")
    else:
        sql, params = export_queryset(public_deals().order_by("-signed_on", "-id")).query.sql_with_params()
        if mode == "plain":
            sql, params = f"SELECT * FROM {PLAIN}", ()
        with connection.cursor() as cur:
            raw = cur.connection  # the psycopg connection
            with raw.cursor() as pcur, pcur.copy(f"COPY ({sql}) TO STDOUT WITH CSV HEADER", params) as copy:
                for block in copy:
                    size += len(block)
                    rows += bytes(block).count(b"\n")
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": rows - 1, "mb": size / 1e6, "seconds": seconds, "peak_mb": peak_mb}


PLAIN = "bench_export_plain"


def make_plain() -> None:
    """A plain table holding the export's rows, column for column, in the export's order."""
    import django

    django.setup()
    from django.db import connection

    from deals.export import export_queryset
    from deals.selectors import public_deals

    sql, params = export_queryset(public_deals().order_by("-signed_on", "-id")).query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {PLAIN}")
        cur.execute(f"CREATE TABLE {PLAIN} AS {sql}", params)
        cur.execute(f"VACUUM ANALYZE {PLAIN}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--one", choices=["view", "copy", "plain"])
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one(a.one)))
        return
    make_plain()
    results: dict[str, list[dict]] = {"view": [], "copy": [], "plain": []}
    for _ in range(a.runs):
        for mode in ("plain", "copy", "view"):  # alternate, so machine noise hits all alike
            out = subprocess.run([sys.executable, __file__, "--one", mode], capture_output=True, text=True, check=True)
            results[mode].append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"database: {os.environ['DATABASE_URL'].rsplit('/', 1)[-1]}, runs: {a.runs} (medians)")
    print(f"{'path':<30} {'rows':>10} {'MB':>8} {'seconds':>8} {'rows/s':>10} {'peak RSS MB':>12}")
    med = {}
    for mode, label in (("plain", "COPY of a plain table (limit)"), ("copy", "COPY of the view's SELECT"),
                        ("view", "/deals/?export=csv")):  # fmt: skip
        r = results[mode]
        seconds = statistics.median(x["seconds"] for x in r)
        med[mode] = seconds
        print(f"{label:<30} {r[0]['rows']:>10,} {r[0]['mb']:>8.1f} {seconds:>8.2f} {r[0]['rows'] / seconds:>10,.0f} "
              f"{statistics.median(x['peak_mb'] for x in r):>12.0f}")  # fmt: skip
    print(f"view / plain-table COPY time ratio: {med['view'] / med['plain']:.2f} (target 3)")
    print(f"view's SELECT under COPY / plain-table COPY: {med['copy'] / med['plain']:.2f}")
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE {PLAIN}")


if __name__ == "__main__":
    main()
