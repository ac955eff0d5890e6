"""Facet counts for the public listing: how many approved deals each filter value would give.

Each facet is counted under every *other* active filter (choosing another kind keeps the
country), so a dropdown shows what picking that value would list. Counting is exact when the
deals to count are few (PostgreSQL's estimate at most ``EXACT_LIMIT``): a grouped count over a
few thousand ids is a few milliseconds. Over more (or when the planner says producing the
matches is itself costly: ``COUNT_COST_LIMIT``), an exact count costs hundreds of milliseconds
at a million deals, so the count is *estimated*: the value's share among all approved deals
(counted every few minutes and cached) times the estimated size of the result. Estimated counts
are marked "≈" on the page. Named values (sectors, programmes, bodies) are only ever those that
approved deals name at this moment.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, QuerySet
from django.http import QueryDict

from .models import (
    INVESTOR_ROLES,
    SECTOR_LABELS,
    Deal,
    DealParty,
    GovernmentBody,
    GovernmentInvolvement,
    Programme,
    ReviewStatus,
    Sector,
)
from .pagination import COUNT_COST_LIMIT, planner_plan
from .selectors import ids_parameter, public_choice_ids, public_version

EXACT_LIMIT = 2_000  # 8 grouped counts over 20,000 ids took 1-1.4 s at 300k deals; over 2,000, tens of ms
CACHE_SECONDS = 300


def _grouped(rows: QuerySet, column: str, deal: str = "deal_id", distinct: bool = False) -> dict[str, int]:
    pairs = rows.order_by().values_list(column).annotate(n=Count(deal, distinct=distinct))
    return {str(k): n for k, n in pairs if k not in ("", None)}  # no country, no programme: no option


def _on_deals(column: str) -> Callable[[QuerySet], dict[str, int]]:
    return lambda ids: _grouped(Deal.objects.filter(id__in=ids), column, deal="id")


# Facet (the listing's filter name) -> counts of approved deals per value, for a subquery of ids.
COUNTERS: dict[str, Callable[[QuerySet], dict[str, int]]] = {
    "kind": lambda ids: _grouped(Deal.kinds.through.objects.filter(deal_id__in=ids), "dealkind_id"),
    "lifecycle": _on_deals("lifecycle"),
    "investor_country": lambda ids: _grouped(
        DealParty.objects.filter(deal_id__in=ids, role__in=INVESTOR_ROLES), "company__country", distinct=True
    ),
    "party_country": lambda ids: _grouped(DealParty.objects.filter(deal_id__in=ids), "company__country", distinct=True),
    "destination_country": _on_deals("destination_country"),
    "sector": lambda ids: _grouped(Deal.sectors.through.objects.filter(deal_id__in=ids), "sector_id"),
    "programme": lambda ids: _grouped(
        GovernmentInvolvement.objects.filter(deal_id__in=ids), "programme_id", distinct=True
    ),
    "body": lambda ids: _grouped(GovernmentInvolvement.objects.filter(deal_id__in=ids), "body_id", distinct=True),
    "language": _on_deals("language"),
}


@dataclass
class Facet:
    counts: dict[str, int] = field(default_factory=dict)
    estimated: bool = False


def _approved_ids() -> QuerySet:
    return Deal.objects.filter(review_status=ReviewStatus.APPROVED).order_by().values("id")


TOTALS_KEY = "deals:facets:totals"


def totals(*, refresh: bool = False) -> dict:
    """Every facet's counts over all approved deals, and their number. Seconds of work at a
    million deals, so beat refreshes them every few minutes (``deals.tasks.facet_totals_refresh``)
    and a request computes them only when the cache has none."""
    found = None if refresh else cache.get(TOTALS_KEY)
    if found is None:
        ids = _approved_ids()
        found = {"n": Deal.objects.filter(review_status=ReviewStatus.APPROVED).count(),
                 **{name: count(ids) for name, count in COUNTERS.items()}}  # fmt: skip
        cache.set(TOTALS_KEY, found, settings.FACET_TOTALS_SECONDS)
    return found


def facet_counts(params: QueryDict, filterset_class: type, base: QuerySet) -> dict[str, Facet]:
    """Counts per facet value for the listing with these URL parameters (see the module doc),
    cached per filter until the next review decision."""
    canonical = "&".join(f"{k}={v}" for k, values in sorted(params.lists()) for v in sorted(values) if v)
    key = f"deals:facets:{public_version()}:{hashlib.sha256(canonical.encode()).hexdigest()}"
    found = cache.get(key)
    if found is None:
        found = compute_facets(params, filterset_class, base)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _matches(queryset: QuerySet) -> tuple[int, Any]:
    """How many deals match, and their ids when few and cheap to list (else None). The ids are
    read once, then each facet probes its table by them: the filter's own query (a text search,
    say) no longer runs once per facet."""
    if connection.vendor == "postgresql":
        rows, cost = planner_plan(queryset.order_by().values("id"))
        if rows > EXACT_LIMIT or cost > COUNT_COST_LIMIT:
            return rows, None
    ids = list(queryset.order_by().values_list("id", flat=True)[: EXACT_LIMIT + 1])
    if len(ids) > EXACT_LIMIT:
        return len(ids), None
    return len(ids), ids_parameter(ids)


def compute_facets(params: QueryDict, filterset_class: type, base: QuerySet) -> dict[str, Facet]:
    """``facet_counts`` without its cache (the benchmark times this)."""
    relevant = {k: v for k, v in params.items() if v and k not in ("page", "per_page", "sort", "export")}
    matches: dict[tuple, tuple[int, Any]] = {}
    result = {}
    for name, count in COUNTERS.items():
        others = tuple(sorted((k, v) for k, v in relevant.items() if k != name))
        if others not in matches:
            query = QueryDict(mutable=True)
            query.update(dict(others))
            filterset = filterset_class(query, queryset=base)
            matches[others] = _matches(filterset.qs if filterset.is_valid() else base.none())
        size, ids = matches[others]
        if ids is not None:
            result[name] = Facet(count(ids))
        else:  # the totals may be minutes old, so even the unfiltered counts are marked estimates
            every = totals()
            share = size / max(every["n"], 1)
            result[name] = Facet({v: max(round(n * share), 1) for v, n in every[name].items()}, estimated=True)
    return result


NAMED = {"sector": Sector, "programme": Programme, "body": GovernmentBody}


def facet_choices(name: str, facet: Facet) -> list[tuple[str, str]]:
    """Options for a facet whose values are rows (sectors, programmes, bodies): only those that
    occur, by name, read from a cache kept until the next review decision instead of the table."""
    key = f"deals:facets:names:{public_version()}"
    names = cache.get(key)
    if names is None:
        # Only what approved deals name now (the ids are checked at every review decision): a
        # count from minutes-old totals must not show the name of a deal rejected since.
        public = public_choice_ids()
        names = {n: dict(m.objects.filter(pk__in=public[n]).values_list("pk", "name")) for n, m in NAMED.items()}
        cache.set(key, names, CACHE_SECONDS)
    label = (lambda v: str(SECTOR_LABELS.get(v, v))) if name == "sector" else str
    options = [(str(pk), label(text)) for pk, text in names[name].items() if str(pk) in facet.counts]
    return [("", str(settings.FILTERS_EMPTY_CHOICE_LABEL)), *sorted(options, key=lambda o: o[1].casefold())]
