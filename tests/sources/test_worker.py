"""A real Celery worker process on the real Redis, writing to the real PostgreSQL test database."""

import pytest

from deals.models import Deal, DealSource, Evidence
from sources.models import Article, ArticleStatus
from sources.services import article_receive
from tests.workers import DEMO, ROOT, wait_until_done

EVAL_DEV = ROOT.parent / "shared" / "eval" / "dev"

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_on_redis_turns_articles_into_drafts(worker):
    files = sorted(DEMO.glob("*.txt"))
    if EVAL_DEV.exists():
        files += sorted(EVAL_DEV.glob("*.txt")) + sorted(EVAL_DEV.glob("*.html"))
    ids = [article_receive(raw=f.read_bytes(), filename=f.name).article.pk for f in files]
    assert Article.objects.filter(pk__in=ids).count() == len(set(ids))  # stored before any processing
    wait_until_done(ids, worker=worker)

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


def _sessions() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cur.fetchone()[0]


def test_a_worker_keeps_its_database_connection_from_one_article_to_the_next(worker):
    files = sorted(DEMO.glob("*.txt"))
    first = [article_receive(raw=f.read_bytes(), filename=f.name).article.pk for f in files[:2]]
    wait_until_done(first, worker=worker)  # the worker's connection is open now
    before = _sessions()
    ids = [article_receive(raw=f.read_bytes() + b"\n" + bytes(str(i), "ascii"), filename=f"again-{i}-{f.name}").article.pk
           for i, f in enumerate(files * 3)]  # fmt: skip
    wait_until_done(ids, worker=worker)
    assert Article.objects.filter(pk__in=ids, status=ArticleStatus.EXTRACTED).count() == len(ids)
    # Celery's Django fixup would open a new PostgreSQL session for every task (CELERY_DB_REUSE_MAX).
    assert _sessions() - before < len(ids) // 2


def test_a_task_that_did_not_succeed_closes_its_database_connection():
    from celery.signals import task_postrun
    from django.db import connection

    connection.ensure_connection()
    task_postrun.send(sender=None, state="SUCCESS")
    assert connection.connection is not None
    task_postrun.send(sender=None, state="FAILURE")
    assert connection.connection is None
