"""CSV export of every approved deal through the real view, cold and warm, beside its limit: psql's
``COPY (SELECT ...) TO STDOUT`` of a plain text table holding the same CSV rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_speed_100k .venv/bin/python bench/export.py [--runs 3]

- **limit**: the view's own CSV is loaded once into a table of text columns (``bench_export_plain``,
  in the view's row order, plus its row number); each run, psql's ``COPY (SELECT <the text columns>
  FROM bench_export_plain) TO STDOUT`` writes it to a pipe this script drains and counts. No join,
  no expression, no sort: what PostgreSQL and a client do to hand over these bytes at all. The
  bench checks the bytes are the view's (a hash of the rows).
- **the view's SELECT under psql COPY**: the statement the view sends (formula guard included, with
  its session settings), through psql: the database's share of the view's time.
- **view, cold**: the first ``/deals/?export=csv`` in a fresh process (URLconf import, middleware and
  WhiteNoise's scan of the static files included: what the first request after a deploy pays);
  **view, warm**: a second request in that same process, which is what every later export pays.

Each run takes the three in turn (interleaved, so the machine's noise hits them alike), the views in
a fresh subprocess each so that its peak resident memory is its own. Ratios are of medians taken in
the same run. Prints the host's load average before and after: the machine is shared.
"""

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench")
# As in production: DEBUG off (no query log; WhiteNoise scans the static files when the first
# request builds the middleware), no HTTPS redirect for the test client.
for key, value in {"DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 50, "ALLOWED_HOSTS": "testserver",
                   "SECURE_SSL_REDIRECT": "0", "EXPORTS_PER_CLIENT": "100"}.items():  # fmt: skip
    os.environ.setdefault(key, value)

PLAIN = "bench_export_plain"
TARGET = 1.5


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"host load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min) on {os.cpu_count()} cores"


def drain(chunks, digest=None) -> tuple[int, int]:
    """Bytes and lines of a CSV stream, header excluded from the digest."""
    size = lines = 0
    header_done = False
    for chunk in chunks:
        chunk = bytes(chunk)
        size += len(chunk)
        lines += chunk.count(b"\n")
        if digest is not None:
            if not header_done:
                cut = chunk.find(b"\n")
                if cut < 0:
                    continue
                chunk, header_done = chunk[cut + 1 :], True
            digest.update(chunk)
    return size, lines


def view_once() -> dict:
    """Two requests in one fresh process: the first (cold), then the same again (warm)."""
    t0 = time.perf_counter()
    import django

    django.setup()
    from django.test import Client

    setup_s = time.perf_counter() - t0
    client = Client()
    out = {"setup_s": setup_s}
    for label in ("cold", "warm"):
        digest = hashlib.sha256()
        t0 = time.perf_counter()
        response = client.get("/deals/?export=csv")
        assert response.status_code == 200, response.status_code
        size, lines = drain(response.streaming_content, digest)
        out[label] = time.perf_counter() - t0
        out[f"{label}_sha"] = digest.hexdigest()
    out.update(rows=lines - 1, mb=size / 1e6, peak_mb=peak_mb())
    return out


def peak_mb() -> float:
    """This process's own high-water mark: ru_maxrss survives exec on Linux, so a child started by
    a parent that held the whole CSV (to load the plain table) would report the parent's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def psql(sql: str) -> dict:
    """psql runs one statement whose output this process drains from a pipe, as a client would."""
    url = os.environ["DATABASE_URL"]
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(sql)
    try:
        digest = hashlib.sha256()
        t0 = time.perf_counter()
        proc = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", f.name],
                                stdout=subprocess.PIPE, bufsize=0)  # fmt: skip
        size, lines = drain(iter(lambda: proc.stdout.read(1 << 20), b""), digest)
        if proc.wait() != 0:
            sys.exit(f"psql failed on: {sql[:200]}")
        seconds = time.perf_counter() - t0
    finally:
        os.unlink(f.name)
    return {"seconds": seconds, "rows": lines - 1, "mb": size / 1e6, "sha": digest.hexdigest()}


def prepare() -> tuple[str, str]:
    """The plain text table holding the view's CSV rows, and the view's own COPY statement as text."""
    import django
    import psycopg

    django.setup()
    from django.db import connection
    from django.test import Client

    from deals import export
    from deals.filters import SORTS
    from deals.selectors import public_deals

    body = b"".join(bytes(c) for c in Client().get("/deals/?export=csv").streaming_content)
    header = body[: body.index(b"\n")].decode().lstrip("\ufeff").split(",")
    columns = ", ".join(f'"{h}" text' for h in header)
    names = ", ".join(f'"{h}"' for h in header)
    # The view's statement, built as deals.export.copy_blocks builds it, with its parameters inlined
    qs = public_deals().order_by(*SORTS["-date"]).prefetch_related(None).select_related(None)
    annotated = qs.annotate(**{f"col_{h}": e if h in export._NEVER_A_FORMULA else export._Neutralized(e)
                               for h, _, e in export.COLUMNS})  # fmt: skip
    sql, params = annotated.values_list(*(f"col_{h}" for h, _, _ in export.COLUMNS)).query.sql_with_params()
    with connection.cursor() as cur:
        raw = cur.connection
        statement = psycopg.ClientCursor(raw).mogrify(sql, params)
        cur.execute(f"DROP TABLE IF EXISTS {PLAIN}")
        # A bulk load puts a short row into an earlier page's free space, out of order: the rows are
        # numbered and the table rewritten in that order (CLUSTER writes its pages in sequence), so
        # that a scan of the heap hands them over in the view's order without a sort.
        cur.execute(f"CREATE TABLE {PLAIN} (bench_n bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, {columns})")
        with raw.cursor().copy(f"COPY {PLAIN} ({names}) FROM STDIN WITH (FORMAT csv, HEADER)") as copy:
            copy.write(body)
        cur.execute(f"CLUSTER {PLAIN} USING {PLAIN}_pkey")
        cur.execute(f"VACUUM ANALYZE {PLAIN}")
        cur.execute("SELECT pg_size_pretty(pg_total_relation_size(%s)), pg_size_pretty(pg_table_size('deals_deal'))",
                    [PLAIN])  # fmt: skip
        sizes = cur.fetchone()
    print(f"plain text table {PLAIN}: {sizes[0]} (deals table: {sizes[1]}); CSV {len(body) / 1e6:.1f} MB", flush=True)
    # One process reads the heap in order: a parallel scan's Gather hands rows over out of order,
    # which would not be the same CSV.
    plain = f"SET max_parallel_workers_per_gather = 0;\nCOPY (SELECT {names} FROM {PLAIN}) TO STDOUT WITH (FORMAT csv, HEADER)"
    view_sql = (f"SET work_mem = '{export.EXPORT_WORK_MEM}'; SET jit = off;\n"
                f"COPY ({statement}) TO STDOUT WITH (FORMAT csv, HEADER)")  # fmt: skip
    return plain, view_sql


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--view", action="store_true", help=argparse.SUPPRESS)  # the child process
    a = ap.parse_args()
    if a.view:
        print(json.dumps(view_once()))
        return
    print(f"database: {os.environ['DATABASE_URL'].rsplit('/', 1)[-1]}; before: {load()}", flush=True)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"], check=True)
    plain_sql, view_sql = prepare()
    results: dict[str, list[dict]] = {"plain": [], "select": [], "view": []}
    for i in range(a.runs):
        results["plain"].append(psql(plain_sql))
        results["select"].append(psql(view_sql))
        out = subprocess.run([sys.executable, __file__, "--view"], capture_output=True, text=True)
        if out.returncode:
            sys.exit(f"the view's run failed:\n{out.stderr[-3000:]}")
        results["view"].append(json.loads(out.stdout.strip().splitlines()[-1]))
        v = results["view"][-1]
        print(f"run {i + 1}: limit {results['plain'][-1]['seconds']:.2f} s, view's SELECT "
              f"{results['select'][-1]['seconds']:.2f} s, view cold {v['cold']:.2f} s, warm {v['warm']:.2f} s "
              f"({os.getloadavg()[0]:.2f} load)", flush=True)  # fmt: skip
    plain, select, views = results["plain"], results["select"], results["view"]
    if {r["sha"] for r in plain} != {v[k] for v in views for k in ("cold_sha", "warm_sha")}:
        sys.exit("the view's rows differ from the plain table's: the limit would not be the same work")
    med = {
        "plain": statistics.median(r["seconds"] for r in plain),
        "select": statistics.median(r["seconds"] for r in select),
        "cold": statistics.median(v["cold"] for v in views),
        "warm": statistics.median(v["warm"] for v in views),
    }
    rows, mb = views[0]["rows"], views[0]["mb"]
    print(f"\n{rows:,} rows, {mb:.1f} MB of CSV; medians of {a.runs} interleaved runs")
    print(f"{'path':<52} {'seconds':>8} {'rows/s':>10} {'x limit':>8}")
    for key, label in (("plain", "limit: psql COPY of the plain text table"),
                       ("select", "the view's SELECT under psql COPY"),
                       ("warm", "/deals/?export=csv, warm (2nd request)"),
                       ("cold", "/deals/?export=csv, cold (1st request, new process)")):  # fmt: skip
        print(f"{label:<52} {med[key]:8.2f} {rows / med[key]:10,.0f} {med[key] / med['plain']:8.2f}")
    for key in ("warm", "cold"):
        ratios = [v[key] / p["seconds"] for v, p in zip(views, plain, strict=True)]
        verdict = "met" if med[key] / med["plain"] <= TARGET else "NOT met"
        print(f"view {key} / limit: {med[key] / med['plain']:.2f} (per run {', '.join(f'{r:.2f}' for r in ratios)}; "
              f"target {TARGET}: {verdict})")  # fmt: skip
    print(f"view's peak RSS: {statistics.median(v['peak_mb'] for v in views):.0f} MB; Django set-up before the first "
          f"request {statistics.median(v['setup_s'] for v in views):.2f} s (not in either time)")  # fmt: skip
    print(f"after: {load()}")
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE {PLAIN}")


if __name__ == "__main__":
    main()
