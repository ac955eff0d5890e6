"""Celery tasks: take ids, reload, call one service. Safe to run twice."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError, InterfaceError, OperationalError

from . import services

log = logging.getLogger(__name__)
TRANSIENT = (OperationalError, InterfaceError)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5, name="sources.tasks.article_process")
def article_process_task(self, article_id: int) -> str:
    try:
        return services.article_process(article_id=article_id, token=self.request.id or "in-process")
    except SoftTimeLimitExceeded:
        # The extractor's own budget should have stopped it first; say what happened, not "internal error".
        from django.conf import settings
        from django.db import connections

        from .models import Article

        connections.close_all()
        services.article_fail(article=Article(pk=article_id), reason=(
            f"too slow: stopped at the task's time limit ({settings.CELERY_TASK_SOFT_TIME_LIMIT} s); "
            "the stored bytes can be retried"))  # fmt: skip
        return "failed"
    except TRANSIENT as exc:
        # The database went away (restart, failover): hand the row back and try again later.
        try:
            services.article_release(article_id=article_id, error=f"transient: {exc}")
        except DatabaseError:
            pass
        raise self.retry(exc=exc, countdown=min(2**self.request.retries * 5, 300))
    except Exception as exc:
        log.exception("article %s failed", article_id)
        from django.db import connections

        from .models import Article

        # A soft time limit may have cut a query short, leaving a connection Django still thinks usable
        # (workers reuse connections across tasks): record the failure on a fresh one.
        connections.close_all()

        services.article_fail(article=Article(pk=article_id), reason=f"internal error: {type(exc).__name__}: {exc}")
        return "failed"


@shared_task(acks_late=True, name="sources.tasks.feed_poll")
def feed_poll_task(source_id: int) -> tuple[int, int]:
    return services.feed_poll(source_id=source_id)


@shared_task(name="sources.tasks.feeds_poll_due")
def feeds_poll_due() -> int:
    due = services.feeds_due()
    for pk in due:
        feed_poll_task.delay(pk)
    return len(due)


@shared_task(name="sources.tasks.articles_requeue_stuck")
def articles_requeue_stuck() -> int:
    return services.articles_requeue_stuck()
