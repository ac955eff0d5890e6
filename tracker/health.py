"""``/healthz``: what a load balancer and an operator need to know, in one cheap request.

200 when the database answers (the site can serve), 503 when it does not. The broker and the
article backlog are reported, not required: listings and exports work without Redis.
"""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    report: dict[str, object] = {}
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        report["database"] = "ok"
    except DatabaseError as exc:
        return JsonResponse({"database": f"down: {type(exc).__name__}"}, status=503)
    if settings.REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
            report["broker"] = "ok"
        except redis.RedisError as exc:
            report["broker"] = f"down: {type(exc).__name__}"
    else:
        report["broker"] = "none (tasks run in-process)"
    from sources.models import Article, ArticleStatus

    # Each count is served by the status index; "received" and "processing" stay small when workers keep up.
    report["articles"] = {
        s: Article.objects.filter(status=s).count() for s in (ArticleStatus.RECEIVED, ArticleStatus.PROCESSING)
    }
    return JsonResponse(report)
