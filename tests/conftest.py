import os

import pytest


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']}; broker: {settings.REDIS_URL or 'none (in-process)'}"


@pytest.fixture
def redis_url():
    """The real Redis. Absent REDIS_URL the test is skipped; set but unreachable, it fails."""
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set (CI sets it to the real Redis)")
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=3).ping()  # raises: a configured service must be up
    return url


@pytest.fixture
def postgres():
    from django.conf import settings

    if not settings.IS_POSTGRES:
        if os.environ.get("CI"):
            pytest.fail("CI must run with DATABASE_URL pointing at PostgreSQL")
        pytest.skip("DATABASE_URL is not PostgreSQL")


@pytest.fixture
def in_process_tasks():
    """Run queued tasks in this process: for tests of the services, not of the broker."""
    from tracker.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The local-memory cache outlives a test's database; start each test without stale entries."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def worker(redis_url, postgres, tmp_path):
    """One real ``celery worker`` process on the real Redis, stopped after the test."""
    from tests.workers import Worker
    from tracker.celery import app

    app.control.purge()
    w = Worker(redis_url, tmp_path / "worker.log").start()
    yield w
    w.stop()
