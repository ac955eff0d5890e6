"""The Celery app. Workers: ``celery -A tracker worker``; schedules: ``celery -A tracker beat``."""

import os

from celery import Celery
from celery.signals import task_postrun, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _load_analysers(**_):
    """Load the language analysers in the worker's main process, before the pool forks: the
    children share them (copy-on-write) instead of each loading ~300 MB on its first article."""
    from django.conf import settings

    from sources.extraction.languages import warm_up

    warm_up(settings.EXTRACTION_PRELOAD)


@task_postrun.connect
def _close_connection_after_failure(state=None, **_):
    """Connections are reused across tasks (``CELERY_DB_REUSE_MAX``), but not after a task that did not
    succeed: a time limit that fires mid-query leaves a connection Django still believes usable."""
    if state != "SUCCESS":
        from django.db import connections

        for conn in connections.all(initialized_only=True):
            conn.close()
