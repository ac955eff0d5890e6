"""``/healthz``: what a load balancer and an operator need to know, in one cheap request.

``status`` is one of:

- ``ok`` (HTTP 200): the database, the cache and the broker answer.
- ``degraded`` (HTTP 200): the site serves, but the shared cache (pages are served uncached,
  slower) or the broker (new articles wait as *received*) is down. Keep the instance in rotation;
  alert on it.
- ``down`` (HTTP 503): the database does not answer; no page can be served. Take it out.

Cheap on purpose: answered by the first middleware (no session, locale, CSRF, messages, history
or axes work, no ``ALLOWED_HOSTS`` or SSL redirect: a load balancer probes the backend directly
by address), no template, one query under a short statement timeout, and the answer is kept
``HEALTHZ_CACHE_SECONDS`` per process, so fifty probes a second cost one round of checks.
"""

import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponseNotAllowed, JsonResponse

PATH = "/healthz"
# Bounds on every check: a probe that hangs is worse than one that says "down".
STATEMENT_TIMEOUT_MS = 1000
REDIS_TIMEOUT_SECONDS = 0.5

_memo: tuple[float, int, dict] | None = None
_memo_lock = threading.Lock()


def _forget(**kwargs) -> None:
    global _memo
    _memo = None


setting_changed.connect(_forget)  # tests switch services with override_settings


def _database() -> tuple[str, dict | str]:
    """("ok", the backlog counts) or ("down: ...", "") from one short query."""
    from sources.models import ArticleStatus

    received, processing = ArticleStatus.RECEIVED.value, ArticleStatus.PROCESSING.value
    # One scan of the status index for both counts instead of two queries.
    sql = (
        "SELECT COUNT(*) FILTER (WHERE status = %s), COUNT(*) FILTER (WHERE status = %s) "
        "FROM sources_article WHERE status IN (%s, %s)"
    )
    try:
        with transaction.atomic():
            with connection.cursor() as cur:
                if connection.vendor == "postgresql":
                    cur.execute(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
                cur.execute(sql, [received, processing, received, processing])
                row = cur.fetchone()
    except DatabaseError as exc:
        return f"down: {type(exc).__name__}", ""
    return "ok", {"received": row[0], "processing": row[1]}


def _cache() -> str:
    backend = caches["default"]
    ping = getattr(backend, "ping", None)
    if ping is None:
        return "none (a cache per process)" if not settings.CACHE_URL else "ok"
    try:
        ping()
    except Exception as exc:  # noqa: BLE001 - whatever the cache raises, it is down, and the site still serves
        return f"down: {type(exc).__name__}"
    return "ok"


def _broker() -> str:
    if not settings.REDIS_URL:
        return "none (tasks run in-process)"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
        )
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError) as exc:
        return f"down: {type(exc).__name__}"
    return "ok"


def health_report() -> tuple[int, dict]:
    """The HTTP status and the JSON body of ``/healthz``."""
    database, articles = _database()
    if database != "ok":
        return 503, {"status": "down", "database": database}
    report = {"status": "ok", "database": database, "cache": _cache(), "broker": _broker(), "articles": articles}
    if any(str(report[k]).startswith("down") for k in ("cache", "broker")):
        report["status"] = "degraded"
    return 200, report


def healthz(request: HttpRequest) -> JsonResponse:
    global _memo
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    now = time.monotonic()
    memo = _memo
    if memo is None or now - memo[0] >= settings.HEALTHZ_CACHE_SECONDS:
        with _memo_lock:  # one thread checks; the others wait for its answer instead of checking too
            memo = _memo
            if memo is None or now - memo[0] >= settings.HEALTHZ_CACHE_SECONDS:
                status, report = health_report()
                memo = _memo = (time.monotonic(), status, report)
    response = JsonResponse(memo[2], status=memo[1])
    response["Cache-Control"] = "no-store"
    return response


class HealthzMiddleware:
    """First in ``MIDDLEWARE``: ``/healthz`` is answered before any other middleware runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path_info == PATH:
            return healthz(request)
        return self.get_response(request)
