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
        assert client.get("/stats/", {"kind": "mou"}).status_code == 200
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


def _viewer(client):
    viewer = User.objects.create_user("walker", password="pw-for-test-only", is_staff=True)
    viewer.groups.add(Group.objects.get(name="viewers"))
    client.force_login(viewer)
    return viewer


def test_every_admin_action_declares_a_permission_and_a_viewer_is_offered_none(client, rf):
    from django.contrib import admin

    viewer = _viewer(client)
    request = rf.get("/admin/")
    request.user = viewer
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in ("deals", "sources"):
            for action in model_admin.actions or []:
                func = getattr(model_admin, action) if isinstance(action, str) else action
                assert getattr(func, "allowed_permissions", ()), f"{model.__name__}: {action} declares no permission"
        # Third-party admins (login throttling, users) are out of a viewer's reach altogether.
        if model_admin.has_view_permission(request):
            assert not model_admin.get_actions(request), f"a viewer is offered actions on {model.__name__}"


def test_every_custom_admin_view_refuses_a_viewer_that_posts(client):
    """Walks the admin's own URLs (not Django's standard add/change/delete/history) as a viewer."""
    from django.contrib import admin
    from django.urls import URLPattern, reverse

    from deals.models import Company, Deal
    from deals.services import draft_upsert
    from tests.factories import article, result

    [draft] = draft_upsert(article=article(), result=result())
    [other] = draft_upsert(article=article("Another invented report. " * 3, n=2),
                           result=result(title="Other Robotics – 라마바전자"))  # fmt: skip
    _viewer(client)

    def snapshot():
        return (list(Deal.objects.order_by("pk").values_list("pk", "title", "review_status")),
                list(Company.objects.order_by("pk").values_list("pk", "name", "country")), Article.objects.count())  # fmt: skip

    standard = {"changelist", "add", "history", "delete", "change", "autocomplete"}
    walked = []
    for model, model_admin in admin.site._registry.items():
        info = f"{model._meta.app_label}_{model._meta.model_name}_"
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern) or not pattern.name or pattern.name.removeprefix(info) in standard:
                continue
            n_args = pattern.pattern.regex.groups
            url = reverse(f"admin:{pattern.name}", args=[draft.pk] * n_args)
            before = snapshot()
            data = {"reason": "x", "decision-reason": "x", "original": other.pk, "decision-original": other.pk,
                    "survivor": draft.pk, "other": other.pk}  # fmt: skip
            response = client.post(url, data)
            after = snapshot()
            # Refused, or shown read-only (the history pages): either way nothing written.
            assert response.status_code in (200, 302, 403, 404, 405), (url, response.status_code)
            assert before == after, f"a viewer changed data through {url}"
            walked.append(url)
    assert len(walked) >= 5, walked  # upload, approve, reject, duplicate, corrections, suggestions
