"""Redis down: ingestion says so (or falls back with --sync), the public site keeps serving,
and an article received meanwhile is stored and visibly waiting, never lost."""

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from deals.models import Deal, ReviewStatus
from sources.models import Article, ArticleStatus
from sources.services import article_receive
from tests.workers import DEMO

pytestmark = pytest.mark.django_db(transaction=True)
DEAD = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _fresh_pool(app) -> None:
    # Forget the cached pools (keyed by connection) so the next publish uses the current broker_url.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def dead_broker():
    from tracker.celery import app

    old = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = DEAD, False
    # The app caches its connection pool; start a new one so the dead URL is used.
    _fresh_pool(app)
    with override_settings(REDIS_URL=DEAD, CELERY_TASK_ALWAYS_EAGER=False):
        yield
    app.conf.broker_url, app.conf.task_always_eager = old
    _fresh_pool(app)


def test_ingest_says_redis_is_down_and_how_to_go_on(dead_broker):
    with pytest.raises(CommandError, match=r"not reachable.*--sync"):
        call_command("ingest", str(DEMO / "en-demo-chip-investment.txt"))
    assert Article.objects.count() == 0


def test_ingest_sync_processes_in_process_when_redis_is_down(dead_broker, capsys):
    call_command("ingest", "--sync", str(DEMO / "en-demo-chip-investment.txt"))
    assert "1 new (processed in-process)" in capsys.readouterr().out
    assert Article.objects.get().status == ArticleStatus.EXTRACTED


def test_an_article_received_while_the_broker_is_down_is_stored_and_waits_visibly(dead_broker):
    article = article_receive(raw=(DEMO / "en-demo-chip-investment.txt").read_bytes(), filename="x.txt").article
    article.refresh_from_db()
    assert article.status == ArticleStatus.RECEIVED
    assert "broker unavailable" in article.last_error
    assert bytes(article.raw) == (DEMO / "en-demo-chip-investment.txt").read_bytes()  # kept for the sweep


def test_the_public_site_serves_listings_and_exports_while_redis_is_down(dead_broker, client):
    deal = Deal.objects.create(title="Served without Redis", review_status=ReviewStatus.APPROVED)
    assert "Served without Redis" in client.get("/deals/").content.decode()
    assert client.get(f"/deals/{deal.pk}/").status_code == 200
    assert b"Served without Redis" in b"".join(client.get("/deals/?export=csv").streaming_content)
    assert client.get("/stats/").status_code == 200


def test_the_health_check_reports_the_broker_down_but_the_site_up(dead_broker, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert report["database"] == "ok" and report["broker"].startswith("down")
    assert set(report["articles"]) == {"received", "processing"}
