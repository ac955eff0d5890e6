"""A real Celery worker process on the real Redis, writing to the real PostgreSQL test database."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from deals.models import Deal, DealSource, Evidence
from sources.models import Article, ArticleStatus
from sources.services import article_receive

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "articles"
EVAL_DEV = ROOT.parent / "shared" / "eval" / "dev"

pytestmark = pytest.mark.django_db(transaction=True)


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(redis_url, postgres, tmp_path):
    from tracker.celery import app

    app.control.purge()
    env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": redis_url, "DEBUG": "1"}
    log = tmp_path / "worker.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tracker", "worker", "-c", "1", "-l", "info", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "-n", f"test-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while b"ready." not in log.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the Celery worker did not start:\n" + log.read_text(errors="replace")[-3000:])
        time.sleep(0.2)
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def _wait_until_done(ids: list[int], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = Article.objects.filter(pk__in=ids, status__in=[ArticleStatus.RECEIVED, ArticleStatus.PROCESSING])
        if not pending.exists():
            return
        time.sleep(0.3)
    raise AssertionError(f"articles still pending: {list(pending.values_list('pk', 'status'))}")


def test_a_worker_on_redis_turns_articles_into_drafts(worker):
    files = sorted(DEMO.glob("*.txt"))
    if EVAL_DEV.exists():
        files += sorted(EVAL_DEV.glob("*.txt")) + sorted(EVAL_DEV.glob("*.html"))
    ids = [article_receive(raw=f.read_bytes(), filename=f.name).article.pk for f in files]
    assert Article.objects.filter(pk__in=ids).count() == len(set(ids))  # stored before any processing
    _wait_until_done(ids)

    failed = list(Article.objects.filter(pk__in=ids, status=ArticleStatus.FAILED).values_list("filename", "last_error"))
    assert failed == []
    jv = Deal.objects.get(joint_venture__company__name="한뮐소재")
    assert jv.sources.count() == 1
    assert Evidence.objects.filter(deal=jv).count() >= 4
    rumour = Article.objects.get(filename="en-demo-rumour.txt")
    assert not DealSource.objects.filter(article=rumour).exists()
    assert Deal.objects.count() >= 3
    for article in Article.objects.filter(pk__in=ids):
        assert article.extractor_version and article.text and article.attempts == 1
