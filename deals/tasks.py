"""Periodic work for the public side (beat, see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import facets


@shared_task(name="deals.tasks.facet_totals_refresh", time_limit=600, soft_time_limit=540)
def facet_totals_refresh() -> int:
    """Recount the listing's facets over all approved deals, so no visitor waits for it."""
    return facets.totals(refresh=True)["n"]
