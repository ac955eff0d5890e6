"""Screening in the background: a draft's parties after its transaction commits, every company after
a list reload, and (where configured) the daily refresh of a list from its URL."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)


@shared_task(name="screening.tasks.deals_screen", acks_late=True, reject_on_worker_lost=True)
def deals_screen(deal_ids: list[int]) -> int:
    """Idempotent: screening again updates the same flags and never undoes a reviewer's decision."""
    from .services import deals_screen as screen

    return screen(deal_ids=deal_ids)


CHUNK = 2000


@shared_task(name="screening.tasks.companies_screen_all", acks_late=True, reject_on_worker_lost=True)
def companies_screen_all(after: int = 0) -> int:
    """Screen the next CHUNK companies by id, then queue the rest: each run stays inside the task
    time limit (which must stay below the broker's visibility timeout)."""
    from deals.models import Company

    from .services import company_screen

    companies = list(Company.objects.filter(pk__gt=after).order_by("pk").prefetch_related("aliases")[:CHUNK])
    found = sum(len(company_screen(company=c)) for c in companies)
    if len(companies) == CHUNK:
        companies_screen_all.delay(companies[-1].pk)
    return found


@shared_task(name="screening.tasks.lists_refresh", time_limit=840, soft_time_limit=800)
def lists_refresh() -> list[str]:
    """Reload each list of SCREENING_REFRESH (name=format=URL); a list that fails keeps its last load."""
    from .formats import LoadError
    from .services import open_source, screening_list_load

    done = []
    for name, fmt, url in settings.SCREENING_REFRESH:
        try:
            with open_source(url) as stream:
                report = screening_list_load(stream=stream, fmt=fmt, list_name=name, file_name=url, source_url=url)
        except (LoadError, OSError) as exc:
            log.error("screening list %s not refreshed: %s", name, exc)
            continue
        done.append(f"{name}: +{report.added} -{report.removed} ~{report.changed}")
    if done:
        transaction.on_commit(companies_screen_all.delay)
    return done


def drafts_written_screen(sender, deal_ids: list[int], **kwargs) -> None:
    """Receiver of ``deals.signals.drafts_written``: queue the drafts' screening once they commit."""
    ids = list(deal_ids)
    transaction.on_commit(lambda: deals_screen.delay(ids))
