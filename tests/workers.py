"""Real Celery worker processes for the worker and fault tests (Redis broker, PostgreSQL test DB)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.db import InterfaceError, OperationalError, connection

ROOT = Path(__file__).resolve().parents[1]
# The four invented articles the worker and fault tests count on (three deals and a rumour): the
# test's own copy, so the demo folder may grow without changing what these tests expect.
DEMO = ROOT / "tests" / "articles"


def database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """``celery worker`` in its own process group, so the whole worker can be killed at once."""

    def __init__(self, redis_url: str, log: Path, *, concurrency: int = 1, env: dict[str, str] | None = None):
        self.log = log
        self.env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": redis_url, "DEBUG": "1", **(env or {})}
        self.concurrency = concurrency
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "Worker":
        self.log.write_bytes(b"")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tracker", "worker", "-c", str(self.concurrency), "-l", "info",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"test-{os.getpid()}-{time.time_ns()}@%h"],
            cwd=ROOT, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while b"ready." not in self.log.read_bytes():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise AssertionError("the Celery worker did not start:\n" + self.tail())
            time.sleep(0.2)
        return self

    def children(self) -> list[int]:
        """Pids of the prefork pool's child processes."""
        assert self.proc
        out = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                out.append(int(stat.parent.name))
        return out

    def kill(self) -> None:
        """SIGKILL the whole worker: main process and pool children, no chance to clean up."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, n: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-n:]


def db_retrying(fn, timeout: float = 60):
    """Call ``fn`` until the database answers (it may be restarting)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except (OperationalError, InterfaceError):
            connection.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def wait_until_done(ids: list[int], timeout: float = 180, worker: Worker | None = None,
                    sweep_every: float | None = None) -> None:  # fmt: skip
    """Wait for every article to leave received/processing. ``sweep_every``: run the stuck-article
    sweep that beat runs in production, for faults that can drop a message (FIELD-NOTES)."""
    from sources.models import Article, ArticleStatus
    from sources.services import articles_requeue_stuck

    deadline = time.monotonic() + timeout
    next_sweep = time.monotonic() + (sweep_every or 0)
    pending_statuses = [ArticleStatus.RECEIVED, ArticleStatus.PROCESSING]
    while time.monotonic() < deadline:
        if not db_retrying(lambda: Article.objects.filter(pk__in=ids, status__in=pending_statuses).exists()):
            return
        if sweep_every and time.monotonic() > next_sweep:
            db_retrying(articles_requeue_stuck)
            next_sweep = time.monotonic() + sweep_every
        time.sleep(0.3)
    pending = list(Article.objects.filter(pk__in=ids, status__in=pending_statuses).values_list("pk", "status")[:20])
    raise AssertionError(f"articles still pending: {pending}\n" + (worker.tail() if worker else ""))


def wait_until(predicate, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.1)
