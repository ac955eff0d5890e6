"""A real Celery worker process on the real Redis, writing to the real PostgreSQL test database."""

import pytest

from deals.models import Deal, DealSource, Evidence
from sources.models import Article, ArticleStatus
from sources.services import article_receive
from tests.workers import DEMO, ROOT, Worker, wait_until_done

EVAL_DEV = ROOT.parent / "shared" / "eval" / "dev"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker(redis_url, postgres, tmp_path):
    from tracker.celery import app

    app.control.purge()
    w = Worker(redis_url, tmp_path / "worker.log").start()
    yield w
    w.stop()


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
