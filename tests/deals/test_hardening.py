"""Findings of the attack run (issue 17) that are not about extraction, one test each."""

import os

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command

from deals.export import neutralize
from sources.models import Article, ArticleStatus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/deals/", "/stats/", "/healthz"])
@pytest.mark.parametrize("method", ["options", "trace"])
def test_options_and_trace_are_refused_on_public_pages(client, path, method):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert "GET" in response["Allow"]


@pytest.mark.parametrize("control", [chr(c) for c in range(32)] + ["\x7f"])
def test_a_csv_cell_starting_with_any_control_character_is_neutralised(control):
    assert neutralize(control + "=HYPERLINK(1)").startswith("'")


def test_a_viewer_cannot_retry_extraction(client):
    article = Article.objects.create(
        raw=b"text", content_hash="f" * 64, status=ArticleStatus.FAILED, attempts=5, last_error="boom"
    )
    viewer = User.objects.create_user("viewer", password="pw-for-test-only", is_staff=True)
    viewer.groups.add(Group.objects.get(name="viewers"))
    client.force_login(viewer)
    client.post("/admin/sources/article/", {"action": "retry", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.status == ArticleStatus.FAILED


def test_a_retry_gives_one_more_attempt_not_a_fresh_count(settings):
    from sources.services import article_retry

    settings.CELERY_TASK_ALWAYS_EAGER = False
    article = Article.objects.create(
        raw=b"text", content_hash="e" * 64, status=ArticleStatus.FAILED, attempts=7, last_error="boom"
    )
    article_retry(article_id=article.pk)
    article.refresh_from_db()
    assert article.attempts == settings.ARTICLE_MAX_ATTEMPTS - 1


def test_ingest_exits_non_zero_when_every_input_failed(tmp_path):
    with pytest.raises(CommandError, match="every input failed"):
        call_command("ingest", str(tmp_path / "missing.txt"), "--sync")
    from tracker.celery import app

    assert app.conf.task_always_eager == (not os.environ.get("REDIS_URL"))  # --sync did not stay on


def test_extract_exits_non_zero_when_every_input_failed(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="every input failed"):
        call_command("extract", str(empty))


def test_with_a_cache_url_every_process_shares_one_cache(settings):
    import os

    if not os.environ.get("CACHE_URL"):
        if os.environ.get("CI"):
            pytest.fail("CI sets CACHE_URL to a Redis database")
        pytest.skip("CACHE_URL is not set here (the embedded default keeps a cache per process)")
    import redis
    from django.core.cache import cache

    cache.set("shared-probe", "seen by every process", 30)
    raw = redis.Redis.from_url(os.environ["CACHE_URL"])
    assert any(b"shared-probe" in key for key in raw.keys("*shared-probe*"))


def test_a_second_concurrent_export_from_one_client_gets_a_429_until_the_first_ends(client, settings):
    settings.EXPORTS_PER_CLIENT = 1
    first = client.get("/deals/", {"export": "csv"})
    assert first.status_code == 200 and first.streaming
    second = client.get("/deals/", {"export": "csv"})
    assert second.status_code == 429 and second["Retry-After"]
    b"".join(first.streaming_content)
    first.close()
    third = client.get("/deals/", {"export": "csv"})
    assert third.status_code == 200
    third.close()  # a client that goes away mid-stream gives its slot back too
    assert client.get("/deals/", {"export": "csv"}).status_code == 200


def test_stats_are_cached_per_filter_and_a_review_decision_refreshes_them(client, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import User

    from deals.services import deal_approve, draft_upsert
    from tests.factories import article, result

    (deal,) = draft_upsert(article=article(), result=result())
    first = client.get("/stats/").content.decode()
    assert "Invented Robotics" not in first
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as cached:
        assert client.get("/stats/").status_code == 200
    with CaptureQueriesContext(connection) as other_filter:
        assert client.get("/stats/", {"sector": ""}).status_code == 200
    assert len(cached) < len(other_filter)  # the same filter is served from the cache
    with django_capture_on_commit_callbacks(execute=True):
        deal_approve(deal=deal, user=User.objects.create_user("r"))
    after = client.get("/stats/").content.decode()
    assert "robotics" in after.lower()  # the approved deal's sector is now charted


@pytest.mark.usefixtures("in_process_tasks")
def test_an_in_process_run_killed_midway_is_finished_by_the_next_run(tmp_path, django_capture_on_commit_callbacks):
    import datetime as dt
    from pathlib import Path

    from django.utils import timezone

    demo = sorted((Path(__file__).resolve().parents[2] / "demo" / "articles").glob("*.txt"))
    stuck = Article.objects.create(
        raw=demo[0].read_bytes(), content_hash="d" * 64, filename=demo[0].name, status=ArticleStatus.PROCESSING,
        attempts=1, processing_started_at=timezone.now() - dt.timedelta(hours=1), claim_token="dead-process",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ingest", str(demo[1]))
    stuck.refresh_from_db()
    assert stuck.status == ArticleStatus.EXTRACTED
