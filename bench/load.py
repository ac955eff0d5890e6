"""Load test on loopback: the README's gunicorn command on a bench database, 50 concurrent users
on listings and detail pages (wrk), and meanwhile 2 full CSV exports read to the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench_1m .venv/bin/python bench/load.py

Needs wrk (Debian package ``wrk``). Bounded: ``--seconds`` of load (default 60), loopback only,
refuses a database whose name lacks "bench". Prints requests/s, latency percentiles, errors, and
for each export its rows, bytes, time and whether it ended whole (row count = approved deals).
"""

import argparse
import csv
import io
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LUA = r"""
local paths = {%(paths)s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1], {["X-Forwarded-Proto"] = "https", ["Host"] = "127.0.0.1"})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%%d errors_status=%%d errors_socket=%%d p50=%%.1f p95=%%.1f p99=%%.1f max=%%.1f\n",
    summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def export(port: int, out: dict) -> None:
    """Read one full export as a spreadsheet would: CSV rows (quoted cells may hold newlines)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=600) as s:
        s.sendall(b"GET /deals/?export=csv HTTP/1.0\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n\r\n")
        body = s.makefile("rb")
        status = body.readline().split()[1].decode()
        while body.readline() not in (b"\r\n", b""):
            pass
        counted = CountingReader(body)
        rows = sum(1 for _ in csv.reader(io.TextIOWrapper(counted, encoding="utf-8-sig", newline=""))) - 1
    out.update(seconds=time.monotonic() - started, bytes=counted.size, rows=rows, status=status,
               ends_whole=counted.last.endswith(b"\n"))  # fmt: skip


class CountingReader(io.RawIOBase):
    def __init__(self, f):
        self.f, self.size, self.last = f, 0, b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        data = self.f.read(len(b))
        n = len(data)
        b[:n] = data
        self.size += n
        if n:
            self.last = data[-2:]
        return n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--exports", type=int, default=2)
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if "bench" not in url.rsplit("/", 1)[-1]:
        sys.exit("DATABASE_URL must name a *bench* database (bench/seed.py)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from deals.models import Deal, ReviewStatus

    approved = Deal.objects.filter(review_status=ReviewStatus.APPROVED)
    total = approved.count()
    ids = list(approved.order_by("?").values_list("pk", flat=True)[:200])
    listings = ["/deals/", "/deals/?page=3", "/deals/?investor_country=DE", "/deals/?kind=joint_venture&sort=-usd",
             "/deals/?date_from=2020-01-01&date_to=2020-12-31", "/deals/?q=nova", "/deals/?sector=3&language=ko",
             "/deals/?kind=mou"]  # fmt: skip
    # A third listings, two thirds detail pages.
    mix: list[str] = []
    for i, pk in enumerate(ids):
        mix += ([listings[i // 2 % len(listings)]] if i % 2 == 0 else []) + [f"/deals/{pk}/"]
    from django.db import connection

    connection.close()

    readme = (ROOT / "README.md").read_text()
    command = re.search(r"`(gunicorn tracker\.wsgi [^`]+)`", readme).group(1)
    port = free_port()
    command = re.sub(r"-b \S+", f"-b 127.0.0.1:{port}", command)
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "127.0.0.1"}
    gunicorn = [str(Path(sys.executable).with_name("gunicorn")), *shlex.split(command)[1:]]
    print("server:", " ".join(gunicorn[1:]))
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(LUA % {"paths": ", ".join(f'"{p}"' for p in mix)})
        # Warm-up: each worker process loads its code and opens its connection.
        subprocess.run(["wrk", "-t2", "-c8", "-d5s", "-s", lua.name, f"http://127.0.0.1:{port}"], capture_output=True)

        exports = [{} for _ in range(args.exports)]
        threads = [threading.Thread(target=export, args=(port, e)) for e in exports]
        for t in threads:
            t.start()
        run = subprocess.run(["wrk", "-t2", f"-c{args.users}", f"-d{args.seconds}s", "--timeout", "10s", "-s",
                              lua.name, f"http://127.0.0.1:{port}"], capture_output=True, text=True)  # fmt: skip
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait(30)
    print(run.stdout)
    result = dict(kv.split("=") for kv in re.search(r"RESULT (.*)", run.stdout).group(1).split())
    rps = re.search(r"Requests/sec:\s+([\d.]+)", run.stdout).group(1)
    print(
        "| users | requests | req/s | p50 ms | p95 ms | p99 ms | errors (status / socket) |\n|---|---|---|---|---|---|---|"
    )
    print(f"| {args.users} | {result['requests']} | {rps} | {result['p50']} | {result['p95']} | {result['p99']} | "
          f"{result['errors_status']} / {result['errors_socket']} |")  # fmt: skip
    print("\n| export | status | rows | of approved | MB | seconds | whole |\n|---|---|---|---|---|---|---|")
    for i, e in enumerate(exports, 1):
        rows = e["rows"]
        print(f"| {i} | {e['status']} | {rows:,} | {total:,} | {e['bytes'] / 1e6:.0f} | {e['seconds']:.0f} | "
              f"{'yes' if e['ends_whole'] and rows == total else 'NO'} |")  # fmt: skip


if __name__ == "__main__":
    main()
