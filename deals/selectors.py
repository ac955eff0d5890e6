"""Read-side queries for public pages: only approved deals ever leave here."""

import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.cache import cache
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from sources.extraction.lexicon import KIND_RES

from .models import (
    Amount,
    CompanyAlias,
    Deal,
    DealParty,
    Evidence,
    GovernmentBody,
    GovernmentBodyAlias,
    GovernmentInvolvement,
    JointVenture,
    Programme,
    ReviewStatus,
    Sector,  # fmt: skip
)
from .names import normalize_name
from .pagination import cached_estimate, mark_estimate, planner_estimate, table_estimate


def public_deals() -> QuerySet[Deal]:
    """Approved deals with everything a listing row shows, in a fixed number of queries."""
    return (
        Deal.objects.filter(review_status=ReviewStatus.APPROVED)
        .select_related("joint_venture__company")
        .prefetch_related(
            "kinds",
            "sectors",
            Prefetch("parties", queryset=DealParty.objects.select_related("company").order_by("id")),
            Prefetch("amounts", queryset=Amount.objects.order_by("id")),
            Prefetch(
                "government",
                queryset=GovernmentInvolvement.objects.select_related("body", "programme").order_by("id"),
            ),
        )
    )


def _approved_with(owner, model, field: str) -> list[int]:
    """Ids of ``owner`` rows (sectors, programmes, bodies) that an approved deal uses: a name read
    from a draft must not leak through a dropdown.

    In two steps, because PostgreSQL planned the one-query EXISTS as a hash of every link row per
    candidate (0.3-0.9 s for each of the three at a million deals): the candidates that any deal
    uses (an index probe each), then for each of those the first link to an approved deal (LIMIT 1,
    which stops at once when, as usual, most of its deals are approved). 25 ms for all three."""
    used = owner.objects.filter(Exists(model.objects.filter(**{field: OuterRef("pk")}))).order_by()
    first_approved = model.objects.filter(**{field: OuterRef("pk")}, deal__review_status=ReviewStatus.APPROVED)
    candidates = list(used.values_list("pk", flat=True))
    return list(
        owner.objects.filter(pk__in=candidates)
        .annotate(first=Subquery(first_approved.values("pk")[:1]))
        .filter(first__isnull=False)
        .order_by()
        .values_list("pk", flat=True)
    )


CHOICES_CACHE_KEY = "deals:public-choice-ids"
CHOICES_TTL = 300


def public_choice_ids() -> dict[str, list[int]]:
    """Ids of the sectors, programmes and bodies that approved deals use, cached: probing them on
    every listing page cost ~30 ms. Review decisions clear the cache (``choices_changed``)."""

    def build() -> dict[str, list[int]]:
        return {
            "sector": _approved_with(Sector, Deal.sectors.through, "sector"),
            "programme": _approved_with(Programme, GovernmentInvolvement, "programme"),
            "body": _approved_with(GovernmentBody, GovernmentInvolvement, "body"),
        }

    return cache.get_or_set(CHOICES_CACHE_KEY, build, CHOICES_TTL)


PUBLIC_VERSION_KEY = "deals:public-version"


def public_version() -> str:
    """A stamp that changes with every review decision: cached public views put it in their key,
    so a decision is seen at once by every process that shares the cache (``CACHE_URL``)."""
    return cache.get_or_set(PUBLIC_VERSION_KEY, lambda: uuid.uuid4().hex, None)


def choices_changed() -> None:
    cache.delete(CHOICES_CACHE_KEY)
    cache.set(PUBLIC_VERSION_KEY, uuid.uuid4().hex, None)


DENSE_FRACTION = 0.01
ALIAS_PROBE = 1000


def deal_search(queryset: QuerySet[Deal], value: str) -> QuerySet[Deal]:
    """Title and summary words, or any part of a title or of a company's name in any script.

    Two query shapes, chosen from the planner's estimate of the number of matches:
    - few matches (a name): one ``id IN (a UNION b UNION c)``, each branch on its own index
      (full-text GIN, trigram GIN on titles, trigram GIN on alias names; migration 0005), which an
      OR across tables could not use;
    - many matches (a fragment in 1 % of all deals or more): a per-row test while walking the
      sort index, which stops after one page; the union would find all 100,000 matches first
      (0.7 s at a million deals, docs/benchmarks.md).
    """
    value = value.strip()[:200]
    if not value:
        return queryset
    by_title = Deal.objects.filter(title__icontains=value).order_by().values("id")
    by_alias = (
        DealParty.objects.filter(company__aliases__name__icontains=value, company__aliases__accepted=True)
        .order_by()
        .values("deal_id")
    )
    if not settings.IS_POSTGRES:
        by_summary = Deal.objects.filter(summary__icontains=value).order_by().values("id")
        return queryset.filter(id__in=by_title.union(by_summary, by_alias))
    # The 'simple' configuration keeps Korean words whole (no English stemming).
    vector = SearchVector("title", "summary", config="simple")
    query = SearchQuery(value, config="simple")
    by_words = Deal.objects.annotate(v=vector).filter(v=query).order_by().values("id")
    if len(value) >= 3:
        # PostgreSQL cannot estimate a LIKE across the alias join: it guessed 30,000 deals for a name
        # that 181 carry and walked a million deals. Fetching the matching companies, at most
        # ALIAS_PROBE of them (trigram index, 5-15 ms), tells which kind of search this is.
        companies = set(
            CompanyAlias.objects.filter(name__icontains=value, accepted=True).values_list("company_id", flat=True)[
                : ALIAS_PROBE + 1
            ]
        )
        if len(companies) <= ALIAS_PROBE:
            by_alias = DealParty.objects.filter(company_id__in=companies).order_by().values("deal_id")
    union = by_words.union(by_title, by_alias)
    matches, total = planner_estimate(union), table_estimate(Deal)
    if matches < DENSE_FRACTION * total:
        return mark_estimate(queryset.filter(id__in=union), matches, small=True)
    # The range (>= and <=) instead of "=" is deliberate: with an equality PostgreSQL turns this
    # EXISTS into a hashed subplan and computes every alias match up front (240 ms at 1M); the
    # range keeps it a per-row probe of the deal_id index, stopping with the page.
    alias_match = Exists(
        DealParty.objects.filter(
            deal_id__gte=OuterRef("pk"),
            deal_id__lte=OuterRef("pk"),
            company__aliases__name__icontains=value,
            company__aliases__accepted=True,
        )
    )
    found = queryset.alias(search_vector=vector).filter(
        Q(search_vector=query) | Q(title__icontains=value) | alias_match
    )
    # The share of the matches the queryset keeps (the approved ones on public pages), for the count
    return mark_estimate(found, round(matches * min(1.0, cached_estimate(queryset) / total)), small=False)


def evidence_current(deal: Deal, evidence: Iterable[Evidence]) -> list[Evidence]:
    """The accepted quotes that still back a value on the deal.

    A reviewer who deleted a wrong party or retyped an amount made the extractor's quote for it
    stale: it stays in the history, not on the public page. A party's quote stays while it names
    a current party (or the joint venture), an amount's while it holds a current amount's text.
    A reviewer's edit of a list removes the quotes of the values removed, not of those that stayed:
    after a government row is deleted, a government quote stays while it names a remaining body or
    programme; after a kind is unticked, a kind quote stays while it states a remaining kind (합작법인
    of a deal that is still a joint venture). Any other field the reviewer set by hand keeps no quote.
    """
    human = set(deal.human_set_fields or [])
    companies = [p.company_id for p in deal.parties.all()]
    jv = getattr(deal, "joint_venture", None)
    if jv is not None:
        companies.append(jv.company_id)
    names = {
        normalize_name(n) for n in CompanyAlias.objects.filter(company__in=companies).values_list("name", flat=True)
    }
    names |= {normalize_name(p.company.name) for p in deal.parties.all()}
    names.discard("")
    amounts = {(a.value, a.currency) for a in deal.amounts.all()}
    bodies = _government_names(deal) if "government" in human else set()
    kinds = [KIND_RES[k.code] for k in deal.kinds.all() if k.code in KIND_RES] if "kinds" in human else []
    kept = []
    for e in evidence:
        if e.field in ("parties", "joint_venture"):
            text = normalize_name(e.text)
            if not any(n in text for n in names):
                continue
        elif e.field == "amounts" and "amounts" in human:
            if not quotes_an_amount(e.text, amounts):
                continue
        elif e.field == "government" and "government" in human:
            text = normalize_name(e.text)
            if not any(n in text for n in bodies):
                continue
        elif e.field == "kinds" and "kinds" in human:
            if not any(rx.search(e.text or "") for rx in kinds):
                continue
        elif e.field in human:
            continue
        kept.append(e)
    return kept


def _government_names(deal: Deal) -> set[str]:
    """Every name (all aliases) of the deal's remaining government bodies and programmes."""
    rows = list(deal.government.all())
    body_ids = [g.body_id for g in rows if g.body_id]
    names = set(GovernmentBodyAlias.objects.filter(body_id__in=body_ids).values_list("normalized", flat=True))
    names |= {normalize_name(g.body.name) for g in rows if g.body_id}
    names |= {normalize_name(g.programme.name) for g in rows if g.programme_id}
    names.discard("")
    return names


def quotes_an_amount(text: str, amounts: set[tuple[Any, str]]) -> bool:
    """Whether a quote states one of these (value, currency) sums: after a reviewer retyped an
    amount, the article's words for the old one no longer back the deal."""
    from sources.extraction.amounts import find_amounts

    wanted = {(Decimal(v).normalize(), c) for v, c in amounts}
    return any((m.value.normalize(), m.currency) in wanted
               for language in ("en", "ko", "de") for m in find_amounts(text or "", language=language))  # fmt: skip


def ids_parameter(ids: list[int]) -> list[int] | RawSQL:
    """Ids for an ``__in`` lookup: on PostgreSQL one array parameter, not thousands (adapting each
    id cost more than the query itself)."""
    if settings.IS_POSTGRES:
        # Written as one array literal: psycopg's list adapter inspects every element (7 ms for
        # 5,000 ids, paid again by each query that carries them: the plan, the count, the page).
        return RawSQL("SELECT unnest(%s::bigint[])", ["{" + ",".join(str(int(i)) for i in ids) + "}"])
    return ids


# The listing's default sort (deals.filters.SORTS["-date"]): deals of unknown date last.
NEWEST_FIRST = (F("signed_on").desc(nulls_last=True), F("id").desc())


def company_deal_ids(company_id: int) -> QuerySet:
    """Ids of the deals a company takes part in, as a party or as the joint venture a deal creates.

    A UNION of two index probes, for ``id IN (...)``: the same rows as a LEFT JOIN of parties and
    joint ventures with an OR and DISTINCT, which PostgreSQL could answer only by hash-joining
    every party row (1.7 s at a million deals, against 1-6 ms for this shape)."""
    as_party = DealParty.objects.filter(company_id=company_id).order_by().values("deal_id")
    as_venture = JointVenture.objects.filter(company_id=company_id).order_by().values("deal_id")
    return as_party.union(as_venture)


def company_public_deals(company_id: int) -> QuerySet[Deal]:
    """The approved deals that name a company (as a party or as the joint venture), newest first,
    one row a deal."""
    return Deal.objects.filter(review_status=ReviewStatus.APPROVED, id__in=company_deal_ids(company_id)).order_by(
        *NEWEST_FIRST
    )


def programme_public_deals(programme_id: int) -> QuerySet[Deal]:
    """The approved deals a government programme took part in, newest first, one row a deal: an
    ``IN`` of its involvements rather than a join that needs DISTINCT.

    The involvements' deal ids are fetched first (one index probe, one query): as a subquery under
    a ``LIMIT``, PostgreSQL walked the date index of every approved deal probing each for the
    programme (0.7 s at a million deals for a programme with 3,000 of them)."""
    involved = list(
        GovernmentInvolvement.objects.filter(programme_id=programme_id).order_by().values_list("deal_id", flat=True)
    )
    return Deal.objects.filter(review_status=ReviewStatus.APPROVED, id__in=ids_parameter(involved)).order_by(
        *NEWEST_FIRST
    )
