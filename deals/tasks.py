"""Periodic work for the public side (beat, see CELERY_BEAT_SCHEDULE)."""

import logging

from celery import shared_task

from . import facets

log = logging.getLogger(__name__)


@shared_task(name="deals.tasks.facet_totals_refresh", time_limit=600, soft_time_limit=540)
def facet_totals_refresh() -> int:
    """Recount the listing's facets over all approved deals, so no visitor waits for it."""
    return facets.totals(refresh=True)["n"]


@shared_task(name="deals.tasks.rates_update", time_limit=600, soft_time_limit=540)
def rates_update() -> str:
    """Weekly: load the ECB history from RATES_URL. Where the network is closed this fails every
    week; the failure is logged and the rates already loaded stay in use."""
    from django.conf import settings
    from django.core.management import CommandError

    from .management.commands.rates_update import read_source
    from .rates import RatesFileError, parse_history
    from .services import exchange_rates_load

    try:
        loaded = exchange_rates_load(fixings=parse_history(read_source(settings.RATES_URL)), source=settings.RATES_URL)
    except (CommandError, RatesFileError, OSError) as exc:
        log.warning("rates_update: no new ECB rates from %s: %s", settings.RATES_URL, exc)
        return f"failed: {exc}"
    return f"{loaded.rows} rates to {loaded.last}; {loaded.revalued} amounts revalued"
