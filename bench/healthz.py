"""/healthz under page load, on loopback: the README's gunicorn command, N users fetching listing
and detail pages back to back, and a load balancer's probe of /healthz every 0.2 s meanwhile.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench_edges .venv/bin/python bench/healthz.py

Bounded: ``--seconds`` of load (default 20), ``--users`` (default 20), loopback only; refuses a
database whose name lacks "bench". ``--root`` runs another checkout's code (a before/after). Prints
the probe's and the pages' p50/p95/max and the probe's non-200 answers.
"""

import argparse
import os
import re
import shlex
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, timeout: float = 30) -> tuple[int, float]:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n\r\n".encode())
        head = b""
        while chunk := s.recv(65536):
            head = head or chunk[:20]
    return int(head.split()[1]), time.monotonic() - started


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000 if values else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--root", type=Path, default=ROOT)
    args = ap.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if "bench" not in url.rsplit("/", 1)[-1]:
        sys.exit("DATABASE_URL must name a bench database")
    readme = (ROOT / "README.md").read_text()
    command = re.search(r"`(gunicorn tracker\.wsgi [^`]+)`", readme).group(1)
    port = free_port()
    command = re.sub(r"-b \S+", f"-b 127.0.0.1:{port}", command)
    argv = [str(Path(sys.executable).with_name("gunicorn")), *shlex.split(command)[1:]]
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": url, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1",
           "SECRET_KEY": "bench-" + "x" * 60, "SECURE_SSL_REDIRECT": "0"}  # fmt: skip
    proc = subprocess.Popen(argv, cwd=args.root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                if get(port, "/healthz", 5)[0] in (200, 503):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit("gunicorn did not start")
        for path in ("/deals/", "/deals/?q=a", "/deals/?page=50"):  # warm each worker's first request
            for _ in range(4):
                get(port, path)
        stop = time.monotonic() + args.seconds
        pages: list[float] = []
        probes: list[float] = []
        bad: list[int | str] = []
        paths = ["/deals/", "/deals/?sort=-usd", "/deals/?q=a", "/deals/?page=20", "/stats/"]

        def user(i: int) -> None:
            n = i
            while time.monotonic() < stop:
                try:
                    pages.append(get(port, paths[n % len(paths)])[1])
                except OSError:
                    pass
                n += 1

        threads = [threading.Thread(target=user, args=(i,)) for i in range(args.users)]
        for t in threads:
            t.start()
        while time.monotonic() < stop:
            try:
                status, took = get(port, "/healthz", 10)
                probes.append(took)
                if status != 200:
                    bad.append(status)
            except OSError as exc:  # a probe that timed out or was refused: what a balancer counts as down
                bad.append(type(exc).__name__)
            time.sleep(0.2)
        for t in threads:
            t.join(60)
    finally:
        proc.terminate()
        proc.wait(30)
    print(f"{args.users} users, {args.seconds:.0f} s, code at {args.root}")
    print(
        f"pages:   {len(pages)} requests, p50 {pct(pages, 0.5):.0f} ms, p95 {pct(pages, 0.95):.0f} ms, max {max(pages, default=0) * 1000:.0f} ms"
    )
    print(f"healthz: {len(probes)} probes, p50 {pct(probes, .5):.0f} ms, p95 {pct(probes, .95):.0f} ms, "
          f"max {max(probes) * 1000:.0f} ms, non-200: {bad or 'none'}")  # fmt: skip


if __name__ == "__main__":
    main()
