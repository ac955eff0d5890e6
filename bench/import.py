"""Spreadsheet import: rows/s and peak memory for an XLSX of N rows (invented deals).

    createdb -h 127.0.0.1 -U postgres tracker_bench_import
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench_import .venv/bin/python manage.py migrate
    DATABASE_URL=... .venv/bin/python bench/import.py --rows 10000

Run each size in a fresh process: peak RSS is the process's high-water mark. The baseline is
openpyxl alone reading the same file (read-only, values), measured in the same run.
"""

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")


def workbook(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("deals")
    ws.append(["거래명", "투자기업", "국가", "국내기업", "투자금액(억원)", "체결일", "유형", "분야"])
    for i in range(rows):
        ws.append([f"가상 거래 {i}", f"Invented Maker {i % 500} GmbH", "독일", f"가상소재{i % 500}", 3 + i % 50,
                   dt.date(2020, 1, 1) + dt.timedelta(days=i % 1500), "합작", "batteries"])  # fmt: skip
    wb.save(path)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--make", help=argparse.SUPPRESS)  # internal: write the workbook in a child process
    a = ap.parse_args()
    if a.make:
        workbook(Path(a.make), a.rows)
        return
    if "bench" not in os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1]:
        sys.exit("DATABASE_URL must name a *bench* database")
    import django

    django.setup()
    from django.db import connection
    from openpyxl import load_workbook

    from deals.imports import import_file

    with connection.cursor() as cur:  # a fresh start without loading the last run's rows into memory
        cur.execute("TRUNCATE deals_deal, deals_importedrow, deals_company, deals_historicaldeal CASCADE")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "deals.xlsx"
        # Written by a child process, so this process's peak memory is the import's own.
        subprocess.run([sys.executable, __file__, "--rows", str(a.rows), "--make", str(path)], check=True)
        t0 = time.perf_counter()
        book = load_workbook(path, read_only=True, data_only=True)
        n = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
        book.close()
        read = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = import_file(path)
        took = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"| {a.rows:,} | {report.created:,} | {took:.1f} s | {a.rows / took:,.0f} | {read:.1f} s ({n:,} rows) | "
          f"{took / read:.1f}× | {peak:.0f} MB |")  # fmt: skip


if __name__ == "__main__":
    main()
