"""The documented production web command (README) under real gunicorn: a long CSV export is
never cut off by the worker timeout, and /healthz answers while two exports stream.

The command is read from the README, so the test follows what operators are told to run. Its
timeout is cut to 2 s and the client reads slowly, so each export outlives the timeout many
times over: with gunicorn's default sync workers the master kills the worker mid-stream (HTTP 200,
then a broken stream), which is what the test must never see.
"""

import re
import shlex
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from deals.models import Deal, DecidedBy, ReviewStatus

ROOT = Path(__file__).resolve().parents[2]
DEALS = 30_000  # about 8 MB of CSV: more than the sockets on both sides can buffer (4 MB)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres")]


def documented_command(port: int) -> list[str]:
    readme = (ROOT / "README.md").read_text()
    command = re.search(r"`(gunicorn tracker\.wsgi [^`]+)`", readme).group(1)
    command = re.sub(r"--timeout \d+", "--timeout 2", command)
    command = re.sub(r"-b \S+", f"-b 127.0.0.1:{port}", command)
    return [str(Path(sys.executable).with_name("gunicorn")), *shlex.split(command)[1:]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(port: int) -> None:
    """Until gunicorn answers its health check (20 s at most)."""
    for _ in range(100):
        try:
            if b"200 OK" in request(port, "/healthz", timeout=5)[:20]:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not start")


def request(port: int, path: str, *, stall: float = 0, timeout: float = 120) -> bytes:
    """A raw HTTP/1.0 GET. ``stall``: a client on a bad link stops reading for that long after the
    first 64 KB; once the socket buffers are full (a few MB) the server's writes block meanwhile."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
        chunks, size = [], 0
        while chunk := s.recv(65536):
            chunks.append(chunk)
            if stall and size < 65536 <= size + len(chunk):
                time.sleep(stall)
            size += len(chunk)
        return b"".join(chunks)


@pytest.fixture
def server(settings):
    now = timezone.now()
    Deal.objects.bulk_create(
        [Deal(title=f"Invented deal number {i} " + "with a long title " * 14, review_status=ReviewStatus.APPROVED,
              decided_by=DecidedBy.PERSON, reviewed_at=now, summary="x" * 40) for i in range(DEALS)],
        batch_size=5000,
    )  # fmt: skip
    db = settings.DATABASES["default"]
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DEBUG": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "EXPORTS_PER_CLIENT": "2",
    }
    connection.close()  # gunicorn's workers need no competition for the test database's locks
    proc = subprocess.Popen(documented_command(port), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)  # fmt: skip
    try:
        wait_until_up(port)
        yield port, proc
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def test_two_slow_full_exports_finish_whole_and_healthz_answers_meanwhile(server):
    port, proc = server
    results: list[bytes] = [b"", b""]

    def export(i: int) -> None:
        results[i] = request(port, "/deals/?export=csv", stall=5)

    threads = [threading.Thread(target=export, args=(i,)) for i in range(2)]
    started = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(1)
    health = []
    while any(t.is_alive() for t in threads) and len(health) < 20:
        # A probe's own timeout (5 s): a health check that hangs behind exports is a dead service.
        health.append(request(port, "/healthz", timeout=5)[:15])
        time.sleep(0.3)
    for t in threads:
        t.join(180)
    elapsed = time.monotonic() - started

    assert elapsed > 4, "each export must outlive the 2 s worker timeout for this test to mean anything"
    assert health and all(h.split()[1] == b"200" for h in health), health
    for body in results:
        head, _, csv = body.partition(b"\r\n\r\n")
        assert head.split()[1] == b"200", head[:200]
        lines = csv.decode().splitlines()
        assert lines[0].startswith("id,title"), lines[:1]
        assert len(lines) == DEALS + 1, f"the export was cut off after {len(lines) - 1} of {DEALS} rows"
    assert proc.poll() is None
    print(f"exports took {elapsed:.1f} s, {len(results[0]):,} bytes")
