"""Workflows on deals: writing drafts from extraction results, and the reviewers' decisions.

Every function here is atomic. Workers call ``draft_upsert``; the admin calls the review
services. A field a reviewer changed is in ``Deal.human_set_fields`` and no worker overwrites it.
"""

import datetime as dt
import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.sql import UpdateQuery
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

from sources.extraction import deal_title
from sources.extraction.rates import Rate, to_usd

from .export import joined_values
from .models import (
    STAGE_ORDER,
    Amount,
    BodyLevel,
    Company,
    CompanyAlias,
    CountryProposal,
    DatePrecision,
    Deal,
    DealKind,
    DealKindCode,
    DealParty,
    DealSource,
    DealStage,
    DecidedBy,
    Evidence,
    ExchangeRate,
    GovernmentBody,
    GovernmentBodyAlias,
    GovernmentInvolvement,
    JointVenture,
    Lifecycle,
    Programme,
    ProposalField,
    ProposalStatus,
    ReviewStatus,
    Sector,
    UpdateProposal,
)  # fmt: skip
from .names import normalize_name
from .rates import rates_refresh
from .selectors import choices_changed
from .signals import company_merging, drafts_written

# Fields of Deal a draft_upsert may write, unless a reviewer set them.
EXTRACTED_FIELDS = ("title", "kinds", "signed_on", "place", "destination_country", "sectors", "confidence",
                    "lifecycle", "parties", "amounts", "government", "joint_venture")  # fmt: skip
DATE_WINDOW_DAYS = 45
# A later stage of a known deal: MOU to contract to opening takes months, rarely over two years
# (the cases the issue names: an MOU in March, the contract in September, a plant two years on).
# A match this wide is only ever a proposal that a reviewer accepts, never a silent change.
UPDATE_WINDOW_DAYS = 730
IMPLIED_RATE = "implied by the article"


def _locks(keys: Iterable[str]) -> None:
    """Serialise writers on these names across workers (PostgreSQL advisory locks, released at commit).

    Two workers reading two articles about the same company must not both create it. All of an
    article's names are locked in one round trip and in one order (sorted), so that two workers
    each holding some never wait for each other. SQLite serialises all writers already.
    """
    if connection.vendor != "postgresql":
        return
    hashes = sorted({int.from_bytes(hashlib.blake2b(k.encode(), digest_size=8).digest(), "big", signed=True)
                     for k in keys})  # fmt: skip
    if hashes:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) k ORDER BY k", [hashes])


def _name_keys(owner_field: str, specs: list[dict[str, Any]]) -> list[str]:
    """The lock keys of these names and aliases (one per normalised form)."""
    return [f"{owner_field}:{normalize_name(n)}" for s in specs for n in [s["name"], *s.get("aliases", [])]
            if normalize_name(n)]  # fmt: skip


def _owners_match_or_create(
    *, alias_model: Any, owner_field: str, specs: list[dict[str, Any]], make: Any, article: Any = None,
    reason: str | None = None,
) -> list[tuple[Any, bool]]:  # fmt: skip
    """For each name with its aliases, the owner (company or body) that has any of them as an alias
    (the oldest), or a new one; every name becomes an alias of its owner. A name repeated within
    ``specs`` finds the owner an earlier spec chose. The caller holds the names' locks (``_locks``).

    One lookup for all names, one INSERT for the new owners and one for the new aliases, each with
    its history. Returns (owner, found) per spec."""
    owner_model = alias_model._meta.get_field(owner_field).related_model
    forms = [[n for n in dict.fromkeys([s["name"], *s.get("aliases", [])]) if normalize_name(n)] for s in specs]
    keys = [[normalize_name(n) for n in f] for f in forms]
    wanted = {k for ks in keys for k in ks}
    owner_of: dict[str, Any] = {}  # normalised name -> the oldest owner that has it
    has: dict[int, set[str]] = {}  # id(owner) -> its normalised names (unsaved owners have no pk to key by)
    by_pk: dict[int, Any] = {}
    rows = alias_model.objects.filter(normalized__in=wanted).select_related(owner_field) if wanted else []
    for row in sorted(rows, key=lambda r: (getattr(r, f"{owner_field}_id"), r.pk)):
        owner = by_pk.setdefault(getattr(row, f"{owner_field}_id"), getattr(row, owner_field))
        owner_of.setdefault(row.normalized, owner)
        has.setdefault(id(owner), set()).add(row.normalized)
    new: list[Any] = []
    result: list[tuple[Any, bool]] = []
    for spec, ks in zip(specs, keys, strict=True):
        matches = [owner_of[k] for k in ks if k in owner_of]
        # Stored owners first, the oldest winning (as one lookup per name did); then this call's new ones.
        owner = min(matches, key=lambda o: (o.pk is None, o.pk or new.index(o)), default=None)
        found = owner is not None
        if not found:
            owner = make(spec)
            new.append(owner)
        for k in ks:
            owner_of.setdefault(k, owner)
        result.append((owner, found))
    if new:
        rows_bulk_create(owner_model, new, reason)
    aliases = []
    for (owner, _), fs, ks in zip(result, forms, keys, strict=True):
        known = has.setdefault(id(owner), set())
        for name, key in zip(fs, ks, strict=True):
            if key not in known:
                known.add(key)
                # A name read from an article is pending until a reviewer approves a deal it backs.
                aliases.append(alias_model(**{owner_field: owner}, name=name, normalized=key,
                                           accepted=article is None, article=article))  # fmt: skip
    if aliases:
        rows_bulk_create(alias_model, aliases, reason)
    return result


@functools.cache
def _history_manager(model: Any) -> Any:
    """The model's history manager, made once: simple_history builds a new manager class on every
    ``Model.history`` access (``inspect.getmembers``, about a millisecond), several times an article."""
    return get_history_manager_for_model(model) if hasattr(model, "history") else None


def rows_bulk_create(model: Any, objs: list[Any], reason: str | None = None) -> list[Any]:
    """One INSERT for ``objs``, and one for their history rows where the model keeps history."""
    manager = _history_manager(model)
    if manager is None:
        return model.objects.bulk_create(objs)
    if not connection.features.can_return_rows_from_bulk_insert:
        return bulk_create_with_history(objs, model, batch_size=len(objs) or None, default_change_reason=reason)
    with transaction.atomic(savepoint=False):
        created = model._default_manager.bulk_create(objs, batch_size=len(objs) or None)
        manager.bulk_history_create(created, batch_size=len(created) or None, default_change_reason=reason)
    return created


def _aliases_add(alias_model: Any, owner_field: str, owner: Any, names: list[str], *, article: Any = None) -> None:
    """Give ``owner`` every name it lacks as an alias (compared normalised). A name read from an
    article is pending (``accepted=False``) until a reviewer approves a deal it backs."""
    existing = set(alias_model.objects.filter(**{owner_field: owner}).values_list("normalized", flat=True))
    for name in names:
        key = normalize_name(name)
        if key and key not in existing:
            alias_model.objects.create(**{owner_field: owner, "name": name, "accepted": article is None,
                                          "article": article})  # fmt: skip
            existing.add(key)


def _accept_article_rows(*, deal: Deal, article_ids: list[int]) -> None:
    """A reviewer accepted what these articles say about ``deal``: their sources, quotes and the
    names they brought for the deal's companies and bodies become public."""
    DealSource.objects.filter(deal=deal, article_id__in=article_ids).update(accepted=True)
    Evidence.objects.filter(deal=deal, article_id__in=article_ids).update(accepted=True)
    companies = [p.company_id for p in deal.parties.all()]
    if hasattr(deal, "joint_venture"):
        companies.append(deal.joint_venture.company_id)
    CompanyAlias.objects.filter(company_id__in=companies, article_id__in=article_ids).update(accepted=True)
    bodies = [g.body_id for g in deal.government.all() if g.body_id]
    GovernmentBodyAlias.objects.filter(body_id__in=bodies, article_id__in=article_ids).update(accepted=True)
    _countries_accept(companies=companies, bodies=bodies, article_ids=article_ids)


def _countries_accept(*, companies: list[int], bodies: list[int], article_ids: list[int]) -> None:
    """The countries these accepted articles proposed for these companies and bodies: each owner
    still without one takes its oldest proposal; a proposal that disagrees with the country the
    owner has by then is refused. The deals naming a changed owner show it in their stored columns."""
    pending = list(
        CountryProposal.objects.select_for_update()
        .filter(Q(company_id__in=companies) | Q(body_id__in=bodies), article_id__in=article_ids,
                status=ProposalStatus.PENDING)
        .order_by("id")
    )  # fmt: skip
    if not pending:
        return
    changed: dict[str, set[int]] = {"company": set(), "body": set()}
    owners: dict[tuple[str, int], Any] = {}
    for model, field in ((Company, "company"), (GovernmentBody, "body")):
        ids = sorted({getattr(p, f"{field}_id") for p in pending if getattr(p, f"{field}_id")})
        # Locked in id order, as the merges lock them, and read again: another acceptance may have
        # filled the country since. FOR NO KEY UPDATE: a worker inserting an alias or a party of
        # this company holds FOR KEY SHARE on it while it waits for the deal this holds; a full
        # FOR UPDATE would wait for that worker, a deadlock.
        for owner in model.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk"):
            owners[(field, owner.pk)] = owner
    now = timezone.now()
    for p in pending:
        field = "company" if p.company_id else "body"
        owner = owners.get((field, p.company_id or p.body_id))
        if owner is None:
            continue
        if not owner.country:
            owner.country = p.country
            owner._change_reason = f"country from article {p.article_id} accepted"
            owner.save(update_fields=["country", "updated_at"] if field == "company" else ["country"])
            changed[field].add(owner.pk)
        p.status = ProposalStatus.ACCEPTED if owner.country == p.country else ProposalStatus.REJECTED
        p.decided_at = now
    CountryProposal.objects.bulk_update(pending, ["status", "decided_at"])
    ids = {*deals_naming(model=Company, pks=changed["company"]), *deals_naming(model=GovernmentBody,
                                                                               pks=changed["body"])}  # fmt: skip
    if ids:
        deals_refresh_counts(deal_ids=ids)


def company_match_or_create(*, name: str, aliases: list[str], country: str | None, article: Any = None) -> Company:
    """The company that has any of these names as an alias, or a new one with all of them."""
    spec = {"name": name, "aliases": aliases, "country": country}
    return _companies_match_or_create(specs=[spec], article=article)[0][0]


def _companies_match_or_create(*, specs: list[dict[str, Any]], article: Any = None, locked: bool = False,
                               reason: str | None = None) -> list[tuple[Company, bool]]:  # fmt: skip
    if not locked:
        _locks(_name_keys("company", specs))
    made: set[int] = set()

    def make(s: dict[str, Any]) -> Company:
        company = Company(name=s["name"], country=s.get("country") or "")
        made.add(id(company))
        return company

    found = _owners_match_or_create(
        alias_model=CompanyAlias, owner_field="company", specs=specs, article=article, reason=reason, make=make,
    )  # fmt: skip
    _countries_fill(found=found, specs=specs, made=made, article=article, owner_field="company", reason=reason)
    return found


def _countries_fill(*, found: list[tuple[Any, bool]], specs: list[dict[str, Any]], made: set[int], article: Any,
                    owner_field: str, reason: str | None) -> None:  # fmt: skip
    """The country a spec gives for an owner that has none. An owner made in this call takes it at
    once (nothing public names it yet; the review of its first deal shows it). A stored one is
    shared by every deal that names it, approved ones included: an article's country for it is only
    proposed (``CountryProposal``), applied when a reviewer accepts that article
    (``_accept_article_rows``). A person's write (``article`` None: an import, the admin) is applied."""
    proposals: dict[int, CountryProposal] = {}
    for (owner, _), spec in zip(found, specs, strict=True):
        country = spec.get("country")
        if not country or owner.country:
            continue
        if id(owner) in made or article is None:
            owner.country = country
            owner._change_reason = reason
            owner.save(update_fields=["country", "updated_at"] if owner_field == "company" else ["country"])
        elif owner.pk not in proposals:
            proposals[owner.pk] = CountryProposal(**{owner_field: owner}, article=article, country=country)
    if proposals:
        CountryProposal.objects.bulk_create(list(proposals.values()), ignore_conflicts=True)


def body_match_or_create(*, name: str, aliases: list[str], country: str | None, article: Any = None) -> GovernmentBody:
    spec = {"name": name, "aliases": aliases, "country": country}
    return _bodies_match_or_create(specs=[spec], article=article)[0]


def _bodies_match_or_create(*, specs: list[dict[str, Any]], article: Any = None, locked: bool = False,
                            reason: str | None = None) -> list[GovernmentBody]:  # fmt: skip
    if not locked:
        _locks(_name_keys("body", specs))
    made: set[int] = set()

    def make(s: dict[str, Any]) -> GovernmentBody:
        body = GovernmentBody(name=s["name"], country=s.get("country") or "", level=_level(s["name"]))
        made.add(id(body))
        return body

    found = _owners_match_or_create(
        alias_model=GovernmentBodyAlias, owner_field="body", specs=specs, article=article, reason=reason, make=make,
    )  # fmt: skip
    _countries_fill(found=found, specs=specs, made=made, article=article, owner_field="body", reason=reason)
    return [body for body, _ in found]


def _level(name: str) -> str:
    if name.endswith(("도", "Province", "省", "道", "области")):
        return BodyLevel.PROVINCE
    if name.endswith(("시", "군", "구", "City", "市", "County")):
        return BodyLevel.CITY
    if "Ministry" in name or "ministry" in name or name.endswith("부") or "ministerium" in name:
        return BodyLevel.MINISTRY
    return BodyLevel.AGENCY


def _parse_date(value: str | None) -> tuple[dt.date | None, str]:
    if not value:
        return None, DatePrecision.UNKNOWN
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return dt.date(*parts), DatePrecision.DAY
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], 1), DatePrecision.MONTH
    return dt.date(parts[0], 1, 1), DatePrecision.YEAR


def _lifecycle(kinds: list[str]) -> str:
    if kinds == ["mou"]:
        return Lifecycle.MOU_SIGNED
    if "acquisition" in kinds:
        return Lifecycle.COMPLETED
    return Lifecycle.AGREEMENT_SIGNED


def _find_existing(companies: list[Company], kinds: list[str], signed_on: dt.date | None) -> Deal | None:
    """A deal with the same parties, a shared kind and a close date: another report of it."""
    if not companies:
        return None
    ids = {c.pk for c in companies}
    candidates = Deal.objects.filter(parties__company_id__in=ids).exclude(review_status=ReviewStatus.DUPLICATE)
    for deal in candidates.distinct().prefetch_related("parties", "kinds").order_by("id")[:50]:
        if {p.company_id for p in deal.parties.all()} != ids:
            continue
        if kinds and not ({k.code for k in deal.kinds.all()} & set(kinds)):
            continue
        if signed_on and deal.signed_on and abs((deal.signed_on - signed_on).days) > DATE_WINDOW_DAYS:
            continue
        return deal
    return None


def _compatible(deal_kinds: set[str], kinds: list[str]) -> bool:
    """An MOU is followed by the deal it announced (an investment, a joint venture ...)."""
    return not kinds or not deal_kinds or bool(deal_kinds & set(kinds)) or "mou" in deal_kinds | set(kinds)


def _find_to_update(companies: list[Company], kinds: list[str], stage: str, on: dt.date | None) -> Deal | None:
    """An approved deal of the same parties that this report takes a stage further."""
    if not companies:
        return None
    ids = {c.pk for c in companies}
    candidates = Deal.objects.filter(parties__company_id__in=ids, review_status=ReviewStatus.APPROVED)
    for deal in candidates.distinct().prefetch_related("parties", "kinds").order_by("-id")[:50]:
        if not ids <= {p.company_id for p in deal.parties.all()}:
            continue
        if not _compatible({k.code for k in deal.kinds.all()}, kinds):
            continue
        if STAGE_ORDER.get(stage, 0) <= STAGE_ORDER.get(deal.lifecycle, 0):
            continue
        if on and deal.signed_on and abs((deal.signed_on - on).days) > UPDATE_WINDOW_DAYS:
            continue
        return deal
    return None


def _evidence_text(item: dict[str, Any], *fields: str) -> str:
    for f in fields:
        for ev in item.get("evidence", []):
            if ev.get("field") == f and ev.get("text"):
                return ev["text"][:1000]
    return ""


def _propose(*, deal: Deal, article: Any, field: str, old: str, new: str, value: dict, evidence: str,
             conflict: bool) -> None:  # fmt: skip
    UpdateProposal.objects.get_or_create(
        deal=deal, article=article, field=field, new=new[:300],
        defaults={"old": old[:300], "value": value, "evidence": evidence, "conflict": conflict},
    )  # fmt: skip


def _proposals_for(*, deal: Deal, article: Any, item: dict[str, Any], companies: list[Company], stage: str,
                   on: dt.date | None) -> None:  # fmt: skip
    """What a later article reports about a decided deal, as proposals: a later stage, another
    amount, a new party. Each waits for a reviewer; the deal itself is not touched."""
    human = set(deal.human_set_fields or [])
    if STAGE_ORDER.get(stage, 0) > STAGE_ORDER.get(deal.lifecycle, 0):
        _propose(deal=deal, article=article, field=ProposalField.LIFECYCLE, old=str(deal.get_lifecycle_display()),
                 new=str(Lifecycle(stage).label), value={"stage": stage, "on": on.isoformat() if on else None},
                 evidence=_evidence_text(item, "lifecycle", "kinds", "signed_on"),
                 conflict="lifecycle" in human)  # fmt: skip
    amounts = item.get("amounts", [])
    if amounts and item.get("stage") != Lifecycle.CANCELLED:
        a = amounts[0]
        value = Decimal(str(a["value"]))
        current = {(am.value, am.currency) for am in deal.amounts.all()}
        if (value, a["currency"]) not in current:
            old = "; ".join(f"{v:,.0f} {c}" for v, c in sorted(current)) or "—"
            _propose(deal=deal, article=article, field=ProposalField.AMOUNT, old=old,
                     new=f"{value:,.0f} {a['currency']}", value={"value": str(value), "currency": a["currency"],
                                                                 "text": a.get("text", ""), "on": on and on.isoformat()},
                     evidence=_evidence_text(item, "amounts"), conflict="amounts" in human)  # fmt: skip
    known = {p.company_id for p in deal.parties.all()}
    for company, party in zip(companies, item.get("parties", []), strict=False):
        if company.pk not in known:
            _propose(deal=deal, article=article, field=ProposalField.PARTY, old="", new=company.name,
                     value={"company_id": company.pk, "role": party.get("role", "partner")},
                     evidence=_evidence_text(item, "parties"), conflict="parties" in human)  # fmt: skip


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {k: _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


# No savepoint of its own: inside the worker's transaction a failure rolls back the whole article
# (its status with its drafts) anyway, and a savepoint costs two round trips per article. Atomic
# all the same, so that the row locks below are held until the article's writes commit.
@transaction.atomic(savepoint=False)
def draft_upsert(*, article: Any, result: dict[str, Any]) -> list[Deal]:
    """Write the deals of one extraction result as drafts, or as new sources of existing deals.

    Safe to run twice: a deal this article already backs is updated in place (only the fields no
    reviewer set, and only while it is a draft); approved and rejected deals only gain sources.

    A known deal is locked (``SELECT ... FOR UPDATE``) and read again before anything is decided
    about it, and the review services lock the same row: a reviewer's decision either commits
    before this reads the deal (then a decided deal's row is not written at all) or waits for
    this article's transaction. Only the fields a worker owns are written (``update_fields``),
    never ``review_status``. Companies and bodies are shared with public deals: their country is
    only proposed (``_countries_fill``), and their new names are pending aliases.

    Round trips to the database set a worker's pace: the companies of all the article's deals are
    locked, looked up and created at once, and each kind of row is written in one INSERT, history
    included.
    """
    result = _without_nul(result)  # PostgreSQL's text and jsonb refuse NUL, the extractor's input may hold one
    if any(a.get("currency") != "USD" for d in result.get("deals", []) for a in d.get("amounts") or []):
        rates_refresh()  # the database's ECB rates, read before converting (the extractor reads no database)
    deals: list[Deal] = []
    published = article.published_on
    unnamed_seen = 0
    reason = f"extractor {result.get('extractor_version', '')}".strip()
    items = result.get("deals", [])
    specs = [[*item.get("parties", []), *([item["joint_venture"]] if item.get("joint_venture") else [])]
             for item in items]  # fmt: skip
    companies_named = [s for ss in specs for s in ss]
    # Locks in two rounds, each sorted: every name first (bodies too, though only a writable deal
    # needs them), then the deals. Every worker takes them in that one order, so none waits for
    # another that waits for it.
    bodies_named = [g for item in items for g in item.get("government", [])]
    _locks([*_name_keys("company", companies_named), *_name_keys("body", bodies_named)])
    matched = _companies_match_or_create(specs=companies_named, article=article, locked=True, reason=reason)
    created_ids = {c.pk for c, found in matched if not found}
    # Companies created here that no deal names yet: no stored deal can have them as parties.
    fresh = set(created_ids)
    rows = iter(c for c, _ in matched)
    resolved = [[next(rows) for _ in ss] for ss in specs]
    # One lock per set of parties. A set with a company created here needs none: no other
    # transaction can see that company before this one commits.
    _locks(_deal_key(_key_companies(item, cs)) for item, cs in zip(items, resolved, strict=True)
           if not {c.pk for c in _key_companies(item, cs)} & created_ids)  # fmt: skip
    for item, row_companies in zip(items, resolved, strict=True):
        companies = row_companies[: len(item.get("parties", []))]
        jv = item.get("joint_venture")
        jv_company = row_companies[-1] if jv else None
        signed_on, precision = _parse_date(item.get("date"))
        kinds = list(item.get("kinds", []))
        key_companies = _key_companies(item, row_companies)
        key_ids = {c.pk for c in key_companies}
        stage = item.get("stage") or _lifecycle(kinds)
        if key_companies and key_ids <= fresh:
            deal = None
        elif key_companies:
            deal = Deal.objects.filter(sources__article=article, parties__company__in=key_companies).distinct().first()
            if deal is None and not key_ids & fresh:
                deal = _find_existing(key_companies, kinds, signed_on) or _find_to_update(
                    key_companies, kinds, stage, signed_on or published
                )
        else:
            # A deal with no named party (recall first): the article's n-th such draft, so a re-run
            # updates it instead of adding another.
            unnamed = Deal.objects.filter(sources__article=article, parties__isnull=True, joint_venture__isnull=True)
            deal = unnamed.order_by("id")[unnamed_seen : unnamed_seen + 1].first()
            unnamed_seen += 1
        fresh -= {c.pk for c in row_companies}
        created = deal is None
        if created:
            deal = Deal(review_status=ReviewStatus.DRAFT)
        else:
            # The match read the deal without a lock; a reviewer may have decided it since.
            deal = Deal.objects.select_for_update().get(pk=deal.pk)
        writable = created or deal.review_status == ReviewStatus.DRAFT
        human = set(deal.human_set_fields or [])

        def may(field: str, writable: bool = writable, human: set[str] = human) -> bool:
            return writable and field not in human

        owned: list[str] = []  # the row's columns this run writes
        if may("title"):
            deal.title = (item.get("title") or "").strip()[:300] or "Untitled deal"
            owned.append("title")
        if may("signed_on"):
            deal.signed_on, deal.date_precision = signed_on, precision
            owned += ["signed_on", "date_precision"]
        if may("place"):
            deal.place = (item.get("place") or "")[:255]
            owned.append("place")
        if may("destination_country"):
            deal.destination_country = item.get("destination_country") or ""
            owned.append("destination_country")
        if may("confidence"):
            deal.confidence = Decimal(str(item.get("confidence", 0))).quantize(Decimal("0.01"))
            owned.append("confidence")
        if may("lifecycle"):
            deal.lifecycle = stage
            owned.append("lifecycle")
        if writable:
            deal.language = result.get("language", "")[:8]
            deal.extractor_version = result.get("extractor_version", "")
            owned += ["language", "extractor_version", "updated_at"]
            if created:
                deal.extracted = item
        amounts = _amount_rows(item.get("amounts", []), signed_on or published) if may("amounts") else None
        # simple_history records the worker's writes too; the reason tells them from a reviewer's.
        deal._change_reason = reason
        if created:
            deal.save()
        elif writable:
            deal.save(update_fields=owned)
        # A decided deal's row is not written: no status written back, no history row, and its
        # updated_at (the feed's) stays until a reviewer accepts what this article brings.
        links = []
        if may("kinds"):
            # The kinds table is seeded by a migration, but a kind must never be silently dropped.
            codes = [k for k in dict.fromkeys(kinds) if k in DealKindCode.values]
            links.append(("kinds", "code", [DealKind(code=k) for k in codes]))
        if may("sectors"):
            sectors: dict[str, str] = {}
            for name in item.get("sectors", []):
                sectors.setdefault(sector_slug(name), name)
            links.append(("sectors", "slug", [Sector(slug=k, name=n) for k, n in sectors.items()]))
        _m2m_write(deal, links, created=created)
        if may("parties"):
            known = set() if created else set(deal.parties.values_list("company_id", flat=True))
            parties = []
            for company, party in zip(companies, item.get("parties", []), strict=True):
                if company.pk not in known:
                    known.add(company.pk)
                    parties.append(DealParty(deal=deal, company=company, role=party.get("role", "partner"),
                                             stake_percent=_stake(party.get("stake"))))  # fmt: skip
            if parties:
                rows_bulk_create(DealParty, parties, reason)
        if may("joint_venture") and jv_company:
            jvo, _ = JointVenture.objects.update_or_create(
                deal=deal, defaults={"company": jv_company, "location": (jv.get("location") or "")[:255]}
            )
            jvo.parents.set(companies)
        if amounts is not None:
            _amounts_replace(deal, amounts, created=created, reason=reason)
        if may("government") and item.get("government"):
            bodies = _bodies_match_or_create(specs=item["government"], article=article, locked=True, reason=reason)
            known = set() if created else set(deal.government.filter(role="broker").values_list("body_id", flat=True))
            involvements = []
            for body in bodies:
                if body.pk not in known:
                    known.add(body.pk)
                    involvements.append(GovernmentInvolvement(deal=deal, body=body, role="broker"))
            if involvements:
                rows_bulk_create(GovernmentInvolvement, involvements, reason)
        if deal.review_status == ReviewStatus.APPROVED and not created:
            _proposals_for(deal=deal, article=article, item=item, companies=companies, stage=stage,
                           on=signed_on or published)  # fmt: skip
        # On a draft, the article is reviewed with the draft; on a deal already decided, what it
        # brings is pending until a reviewer accepts it (review is the only door to the public).
        source = None if created else DealSource.objects.filter(deal=deal, article=article).first()
        if source is None:
            source = DealSource.objects.create(deal=deal, article=article, accepted=writable)
        # One INSERT for all spans; the unique constraint makes a re-run insert nothing.
        Evidence.objects.bulk_create(
            [Evidence(deal=deal, article=article, field=ev["field"], start=ev["start"], end=ev["end"], text=ev["text"],
                      accepted=source.accepted)
             for ev in item.get("evidence", [])],
            ignore_conflicts=True,
        )  # fmt: skip
        # One UPDATE: the counts and the joined columns the listing and the export read.
        deal_refresh_counts(deal=deal)
        deals.append(deal)
    for update in result.get("updates", []):
        deal = _update_known_deal(article=article, update=update)
        if deal is not None:
            deals.append(deal)
    if deals:
        drafts_written.send(sender=Deal, deal_ids=[d.pk for d in deals])
    return deals


def _stake(value: Any) -> Decimal | None:
    """A party's stake from the extractor ("49"), when it is a percentage the column can hold."""
    try:
        stake = Decimal(str(value)).quantize(Decimal("0.01")) if value not in (None, "") else None
    except (ArithmeticError, ValueError):
        return None
    return stake if stake is not None and 0 <= stake <= 100 else None


def _key_companies(item: dict[str, Any], companies: list[Company]) -> list[Company]:
    """The companies that identify a deal: its parties, else its joint venture."""
    parties = companies[: len(item.get("parties", []))]
    return parties or companies[len(parties) :]


def _deal_key(companies: list[Company]) -> str:
    return "deal:" + ",".join(str(pk) for pk in sorted(c.pk for c in companies))


def _m2m_write(deal: Deal, links: list[tuple[str, str, list[Any]]], *, created: bool) -> None:
    """Set a deal's kinds and sectors (``(field, key, rows)``: rows named by ``key``, code or
    slug), creating those the table lacks. A new deal is linked to both in one statement (INSERT
    ... SELECT each, in a WITH); only when a row was missing (the first article of a sector) does
    it take two more queries: create it, link again."""
    if not created:
        for field, key, rows in links:
            model = Deal._meta.get_field(field).related_model
            keys = [getattr(r, key) for r in rows]
            if sorted(getattr(deal, field).values_list(key, flat=True)) == sorted(keys):
                continue  # a re-run: already linked to exactly these
            have = dict(model.objects.filter(**{f"{key}__in": keys}).values_list(key, "pk"))
            if len(have) < len(keys):
                model.objects.bulk_create([r for r in rows if getattr(r, key) not in have], ignore_conflicts=True)
                have = dict(model.objects.filter(**{f"{key}__in": keys}).values_list(key, "pk"))
            getattr(deal, field).set(list(have.values()))
        return
    links = [link for link in links if link[2]]
    if not links:
        return
    qn = connection.ops.quote_name

    def insert(field: str, key: str, rows: list[Any]) -> tuple[str, list[Any]]:
        m2m = Deal._meta.get_field(field)
        model = m2m.related_model
        sql = (f"INSERT INTO {qn(m2m.remote_field.through._meta.db_table)} ({qn(m2m.m2m_column_name())}, "
               f"{qn(m2m.m2m_reverse_name())}) SELECT %s, {qn(model._meta.pk.column)} FROM {qn(model._meta.db_table)} "
               f"WHERE {qn(model._meta.get_field(key).column)} IN ({', '.join(['%s'] * len(rows))}) "
               "ON CONFLICT DO NOTHING")  # fmt: skip
        return sql, [deal.pk, *(getattr(r, key) for r in rows)]

    with connection.cursor() as cur:
        parts = [insert(*link) for link in links]
        if connection.vendor == "postgresql":
            ctes = ", ".join(f"l{i} AS ({sql} RETURNING 1)" for i, (sql, _) in enumerate(parts))
            counts = ", ".join(f"(SELECT count(*) FROM l{i})" for i in range(len(parts)))
            cur.execute(f"WITH {ctes} SELECT {counts}", [p for _, params in parts for p in params])
            linked = list(cur.fetchone())
        else:  # SQLite has no INSERT in WITH: one statement each
            linked = []
            for sql, params in parts:
                cur.execute(sql, params)
                linked.append(cur.rowcount)
        for (field, _key, rows), n, (sql, params) in zip(links, linked, parts, strict=True):
            if n < len(rows):
                # ignore_conflicts: another worker may be creating the same row; the second link sees it.
                Deal._meta.get_field(field).related_model.objects.bulk_create(rows, ignore_conflicts=True)
                cur.execute(sql, params)


def _company_known(name: str, aliases: list[str]) -> Company | None:
    keys = [normalize_name(n) for n in [name, *aliases] if normalize_name(n)]
    alias = CompanyAlias.objects.filter(normalized__in=keys).select_related("company").order_by("company_id").first()
    return alias.company if alias else None


def _update_known_deal(*, article: Any, update: dict[str, Any]) -> Deal | None:
    """A cancellation or withdrawal: a proposal on the known deal of those parties; about no known
    deal it makes nothing (an article about an unknown deal's end stays a negative)."""
    companies = [_company_known(p["name"], p.get("aliases", [])) for p in update.get("parties", [])]
    if not companies or None in companies:
        return None
    on, _ = _parse_date(update.get("date"))
    deal = _find_to_update(companies, [], update.get("stage", Lifecycle.CANCELLED), on or article.published_on)
    if deal is None:
        return None
    # Locked and read again, as in draft_upsert: a reviewer may have rejected it since the match.
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if deal.review_status != ReviewStatus.APPROVED:
        return None
    item = {"stage": update.get("stage", Lifecycle.CANCELLED), "parties": [],
            "evidence": [{"field": "lifecycle", "text": update.get("text", "")}]}  # fmt: skip
    _proposals_for(deal=deal, article=article, item=item, companies=[], stage=item["stage"],
                   on=on or article.published_on)  # fmt: skip
    DealSource.objects.get_or_create(deal=deal, article=article, defaults={"accepted": False})
    deal_refresh_counts(deal=deal)
    return deal


def _lifecycle_refresh(deal: Deal) -> None:
    """The deal's lifecycle is its latest accepted stage (by date, then by the order of stages)."""
    stages = list(deal.stages.filter(accepted=True))
    if stages:
        latest = max(stages, key=lambda s: (s.on or dt.date.min, STAGE_ORDER.get(s.stage, 0)))
        if deal.lifecycle != latest.stage:
            deal.lifecycle = latest.stage
            deal.save(update_fields=["lifecycle", "updated_at"])


def _first_stage(deal: Deal) -> None:
    """On approval, the deal's stage as reviewed opens its timeline."""
    source = deal.sources.order_by("article__published_on", "id").first()
    DealStage.objects.get_or_create(
        deal=deal, stage=deal.lifecycle, article=source.article if source else None,
        defaults={"on": deal.signed_on or (source.article.published_on if source else None), "accepted": True},
    )  # fmt: skip


@transaction.atomic
def proposal_accept(*, proposal: UpdateProposal, user: Any) -> UpdateProposal:
    """Apply one proposed change to the deal; the history records it with the article as reason."""
    p = UpdateProposal.objects.select_for_update().select_related("article").get(pk=proposal.pk)
    if p.status != ProposalStatus.PENDING:
        return p
    deal = Deal.objects.select_for_update().get(pk=p.deal_id)
    reason = f"update accepted from article {p.article_id}"
    if p.field == ProposalField.LIFECYCLE:
        on = dt.date.fromisoformat(p.value["on"]) if p.value.get("on") else p.article.published_on
        DealStage.objects.update_or_create(deal=deal, stage=p.value["stage"], article=p.article,
                                           defaults={"on": on, "evidence": p.evidence, "accepted": True})  # fmt: skip
        deal._change_reason = reason
        _lifecycle_refresh(deal)
    elif p.field == ProposalField.AMOUNT:
        on = dt.date.fromisoformat(p.value["on"]) if p.value.get("on") else deal.signed_on
        _amounts_write(deal, [{"value": p.value["value"], "currency": p.value["currency"],
                               "text": p.value.get("text", "")}], on)  # fmt: skip
    elif p.field == ProposalField.PARTY:
        DealParty.objects.get_or_create(deal=deal, company_id=p.value["company_id"],
                                        defaults={"role": p.value.get("role", "partner")})  # fmt: skip
        deal_title_refresh(deal=deal)
    # What the article said about this deal becomes public with the change it brought.
    _accept_article_rows(deal=deal, article_ids=[p.article_id])
    deal._change_reason = reason
    deal.save()
    deal_refresh_counts(deal=deal)
    p.status, p.decided_by, p.decided_at = ProposalStatus.ACCEPTED, user, timezone.now()
    p.save(update_fields=["status", "decided_by", "decided_at"])
    transaction.on_commit(choices_changed)
    return p


@transaction.atomic
def proposal_reject(*, proposal: UpdateProposal, user: Any) -> UpdateProposal:
    """Refuse one proposed change; the deal stays as it is."""
    p = UpdateProposal.objects.select_for_update().get(pk=proposal.pk)
    if p.status == ProposalStatus.PENDING:
        p.status, p.decided_by, p.decided_at = ProposalStatus.REJECTED, user, timezone.now()
        p.save(update_fields=["status", "decided_by", "decided_at"])
    return p


def sector_slug(name: str) -> str:
    """The sector's key: its name slugified in any script. ``slugify`` without ``allow_unicode``
    turns 화학, 반도체 and 바이오 all into "", which made every Korean sector one sector; a name
    with no letter or digit at all gets a key from its hash rather than a shared one."""
    slug = slugify(name, allow_unicode=True)[:50].strip("-_")
    if slug:
        return slug
    return "sector-" + hashlib.sha256(normalize_name(name).encode() or name.encode()).hexdigest()[:12]


def _sector(name: str) -> Sector:
    sector, _ = Sector.objects.get_or_create(slug=sector_slug(name), defaults={"name": name})
    return sector


def _amounts_write(deal: Deal, amounts: list[dict[str, Any]], rate_day: dt.date | None) -> None:
    """Replace a draft's extracted amounts: one row per group, equivalents as alternates."""
    _amounts_replace(deal, _amount_rows(amounts, rate_day))


def _amount_rows(amounts: list[dict[str, Any]], rate_day: dt.date | None) -> list[Amount]:
    """The rows (unsaved, without their deal) for these extracted amounts."""
    groups: dict[int, list[dict[str, Any]]] = {}
    for a in amounts:
        groups.setdefault(a.get("group", 0), []).append(a)
    rows = []
    for items in groups.values():
        primary, *alts = items
        value = Decimal(primary["value"])
        usd, rate, _ = to_usd(value, primary["currency"], rate_day)
        if usd is None:
            for alt in alts:  # "1,2 млрд рублей (около 13 млн долларов)": the article's own USD figure
                if alt["currency"] == "USD":
                    usd = Decimal(alt["value"])
                    rate = Rate((usd / value).quantize(Decimal("0.0000000001")), rate_day or timezone.localdate(),
                                IMPLIED_RATE)  # fmt: skip
        rows.append(Amount(
            value=value, currency=primary["currency"], estimated=bool(primary.get("estimated")),
            alternates=[{"value": a["value"], "currency": a["currency"], "text": a.get("text", "")} for a in alts],
            original_text=(primary.get("text") or "")[:300],
            usd_value=usd if rate else None, usd_rate=rate.usd_per_unit if rate else None,
            usd_rate_date=rate.date if rate else None, usd_rate_source=rate.source if rate else "",
            usd_provisional=bool(rate and rate.provisional),
        ))  # fmt: skip
    return rows


def _amount_key(a: Amount) -> tuple:
    """What an amount says, at the precision it is stored with."""
    cents, rate = Decimal("0.01"), Decimal("0.0000000001")
    return (Decimal(a.value).quantize(cents), a.currency, a.estimated, a.alternates, a.original_text,
            a.usd_value and Decimal(a.usd_value).quantize(cents), a.usd_rate and Decimal(a.usd_rate).quantize(rate),
            a.usd_rate_date, a.usd_rate_source, a.usd_provisional)  # fmt: skip


def _amounts_replace(deal: Deal, rows: list[Amount], *, created: bool = False, reason: str | None = None) -> bool:
    """Make ``rows`` the deal's amounts; rows that say what the stored ones say are left alone (a
    re-run rewrites nothing). Returns whether anything changed."""
    if not created:
        current = list(Amount.objects.filter(deal=deal).order_by("id"))
        if [_amount_key(a) for a in current] == [_amount_key(a) for a in rows]:
            return False
        if current:
            Amount.objects.filter(deal=deal).delete()
    for a in rows:
        a.deal = deal
    if rows:
        rows_bulk_create(Amount, rows, reason)
    return True


def deal_refresh_counts(*, deal: Deal) -> None:
    """Recompute the deal's denormalised columns from its rows (see ``deals_refresh_counts``)."""
    deals_refresh_counts(deal_ids=[deal.pk])


def _refreshed_values() -> dict[str, Any]:
    sources = DealSource.objects.filter(deal=OuterRef("pk"), accepted=True).order_by().values("deal")
    top_usd = Amount.objects.filter(deal=OuterRef("pk")).order_by().values("deal").annotate(m=Max("usd_value"))
    return {
        "source_count": Coalesce(Subquery(sources.annotate(n=Count("id")).values("n")), 0),
        "usd_total": Subquery(top_usd.values("m")),
        **joined_values(),
    }


@functools.cache
def _refresh_statement(alias: str) -> tuple[str, tuple] | None:
    """The refresh UPDATE compiled once per process, for ``id = ANY(ids)``: compiling its ten
    subqueries cost 12 ms of the 17 each call took, a sixth of a worker's time per article."""
    query = Deal.objects.filter(pk=-1).query.chain(UpdateQuery)
    query.add_update_values(_refreshed_values())
    sql, params = query.get_compiler(alias).as_sql()
    where = f"WHERE {connection.ops.quote_name(Deal._meta.db_table)}.{connection.ops.quote_name('id')} = %s"
    if not sql.endswith(where) or params[-1] != -1:
        return None  # another shape than expected: the ORM's own path below
    return sql[: -len(where)] + where.replace("= %s", "= ANY(%s)"), tuple(params[:-1])


def deals_refresh_counts(*, deal_ids: Iterable[int] | None = None) -> int:
    """Recompute what listings and the export read from the deal row itself: how many accepted
    sources back it, its largest USD value and the joined multi-valued columns. One UPDATE,
    computed by the database from the rows, run in the transaction that wrote them. All deals
    when ``deal_ids`` is None (after a bulk load)."""
    if deal_ids is not None and connection.vendor == "postgresql":
        statement = _refresh_statement(connection.alias)
        if statement is not None:
            with connection.cursor() as cursor:
                cursor.execute(statement[0], (*statement[1], [int(i) for i in deal_ids]))
                return cursor.rowcount
    deals = Deal.objects.all() if deal_ids is None else Deal.objects.filter(pk__in=list(deal_ids))
    return deals.update(**_refreshed_values())


def deals_public_changed(*, deal_ids: Iterable[int]) -> None:
    """A person changed rows these deals show (a rename, an edit, an approving import): their
    stored columns follow in this transaction, and at commit the caches of public pages (/stats/,
    the listing's facets and dropdowns) go, as after a review decision (``choices_changed``)."""
    deals_refresh_counts(deal_ids=deal_ids)
    transaction.on_commit(choices_changed)


def deals_naming(*, model: type, pks: Iterable[int]) -> list[int]:
    """Ids of the deals whose joined columns show a row of ``model`` (a company's name, a sector's,
    an article's URL, a party ...): what to refresh after it changes."""
    pks = list(pks)
    rows = {
        "Company": DealParty.objects.filter(company__in=pks),
        "GovernmentBody": GovernmentInvolvement.objects.filter(body__in=pks),
        "Programme": GovernmentInvolvement.objects.filter(programme__in=pks),
        "Sector": Deal.sectors.through.objects.filter(sector__in=pks),
        "Article": DealSource.objects.filter(article__in=pks),
        "DealParty": DealParty.objects.filter(pk__in=pks),
        "Amount": Amount.objects.filter(pk__in=pks),
        "GovernmentInvolvement": GovernmentInvolvement.objects.filter(pk__in=pks),
        "DealSource": DealSource.objects.filter(pk__in=pks),
    }[model.__name__]  # by name: sources.Article is not imported here
    return sorted(set(rows.values_list("deal_id", flat=True)))


def deals_joined_stale(*, deal_ids: Iterable[int] | None = None) -> list[int]:
    """Ids of deals whose stored columns disagree with their rows (none, unless a write path
    forgot ``deals_refresh_counts``)."""
    deals = Deal.objects.all() if deal_ids is None else Deal.objects.filter(pk__in=list(deal_ids))
    names = list(joined_values())
    computed = deals.annotate(**{f"computed_{n}": e for n, e in joined_values().items()}).order_by("pk")
    rows = computed.values_list("pk", *names, *(f"computed_{n}" for n in names)).iterator(chunk_size=2000)
    return [row[0] for row in rows if row[1 : 1 + len(names)] != row[1 + len(names) :]]


@transaction.atomic
def deal_mark_human_set(*, deal: Deal, fields: list[str]) -> None:
    """Record that a reviewer set these fields by hand; workers will leave them alone."""
    current = list(Deal.objects.select_for_update().get(pk=deal.pk).human_set_fields or [])
    merged = sorted(set(current) | {f for f in fields if f in EXTRACTED_FIELDS})
    Deal.objects.filter(pk=deal.pk).update(human_set_fields=merged)
    deal.human_set_fields = merged


@transaction.atomic
def deal_approve(*, deal: Deal, user: Any, decided_by: str = DecidedBy.PERSON) -> Deal:
    transaction.on_commit(choices_changed)  # the public filter choices may change
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    deal.review_status = ReviewStatus.APPROVED
    deal.reviewed_by, deal.reviewed_at, deal.decided_by = user, timezone.now(), decided_by
    fields = ["review_status", "reviewed_by", "reviewed_at", "decided_by", "updated_at"]
    if "title" not in (deal.human_set_fields or []):
        # The title follows what the reviewer left: a deleted party leaves the title with it.
        deal.title = deal_title_from_rows(deal=deal)
        fields.append("title")
    deal.save(update_fields=fields)
    _first_stage(deal)
    # Approving a draft accepts what its articles said; a source still pending (added after an
    # earlier decision) is accepted on its own, by deal_source_accept.
    _accept_article_rows(
        deal=deal, article_ids=list(deal.sources.filter(accepted=True).values_list("article_id", flat=True))
    )
    deal_refresh_counts(deal=deal)
    return deal


def deal_title_from_rows(*, deal: Deal) -> str:
    """The title the deal's current parties, joint venture and kinds give."""
    names = [p.company.name for p in deal.parties.select_related("company").order_by("id")]
    jv = getattr(deal, "joint_venture", None)
    kinds = list(Deal.kinds.through.objects.filter(deal=deal).order_by("id").values_list("dealkind_id", flat=True))
    return deal_title(names, jv.company.name if jv else None, kinds)


@transaction.atomic
def deal_title_refresh(*, deal: Deal) -> str:
    """Recompute the title from the current rows, unless a reviewer typed it (edits of an approved
    deal reach /deals/ and the CSV at once)."""
    if "title" in (deal.human_set_fields or []):
        return deal.title
    title = deal_title_from_rows(deal=deal)
    if title and title != deal.title:
        deal.title = title[:300]
        Deal.objects.filter(pk=deal.pk).update(title=deal.title, updated_at=timezone.now())
    return deal.title


@transaction.atomic
def deal_source_accept(*, source: DealSource, user: Any) -> DealSource:
    """A reviewer accepts a later article about a decided deal: the source, its quotes and the names
    it brought for the deal's parties become public."""
    transaction.on_commit(choices_changed)
    # The deal first, as workers and the other decisions lock it, then the source.
    deal = Deal.objects.select_for_update().get(
        pk=DealSource.objects.values_list("deal_id", flat=True).get(pk=source.pk)
    )
    source = DealSource.objects.select_for_update().get(pk=source.pk)
    source.deal = deal
    source.accepted = True
    source.save(update_fields=["accepted"])
    _accept_article_rows(deal=deal, article_ids=[source.article_id])
    # The public deal changed (a source, maybe a country): now its updated_at (the feed's) moves.
    Deal.objects.filter(pk=deal.pk).update(updated_at=timezone.now())
    deal_refresh_counts(deal=deal)
    return source


@transaction.atomic
def deal_source_refuse(*, source: DealSource, user: Any) -> None:
    """A reviewer refuses a later article about a deal: it no longer backs the deal, and its quotes
    go with it. The article itself stays stored (and its names pending)."""
    deal = Deal.objects.select_for_update().get(
        pk=DealSource.objects.values_list("deal_id", flat=True).get(pk=source.pk)
    )
    source = DealSource.objects.select_for_update().get(pk=source.pk)
    Evidence.objects.filter(deal=deal, article_id=source.article_id).delete()
    source.delete()
    deal_refresh_counts(deal=deal)


@transaction.atomic
def deal_reject(*, deal: Deal, user: Any, reason: str) -> Deal:
    transaction.on_commit(choices_changed)  # the public filter choices may change
    if not reason.strip():
        raise ValueError("A rejection needs a reason.")
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    deal.review_status = ReviewStatus.REJECTED
    deal.rejection_reason = reason.strip()
    deal.reviewed_by, deal.reviewed_at, deal.decided_by = user, timezone.now(), DecidedBy.PERSON
    deal.save(update_fields=["review_status", "rejection_reason", "reviewed_by", "reviewed_at", "decided_by",
                             "updated_at"])  # fmt: skip
    return deal


@transaction.atomic
def deal_mark_duplicate(*, deal: Deal, original: Deal, user: Any) -> Deal:
    """Mark ``deal`` as a duplicate of ``original``; its sources and evidence move over."""
    transaction.on_commit(choices_changed)  # the public filter choices may change
    if deal.pk == original.pk:
        raise ValueError("A deal cannot duplicate itself.")
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    for source in DealSource.objects.filter(deal=deal):
        DealSource.objects.get_or_create(
            deal=original, article_id=source.article_id, defaults={"accepted": source.accepted}
        )
    for ev in Evidence.objects.filter(deal=deal):
        Evidence.objects.get_or_create(
            deal=original, article_id=ev.article_id, field=ev.field, start=ev.start, end=ev.end,
            defaults={"text": ev.text, "accepted": ev.accepted},
        )  # fmt: skip
    if original.review_status == ReviewStatus.APPROVED:
        # The reviewer read this draft's articles: what they said about the original is now public.
        accepted = DealSource.objects.filter(deal=deal, accepted=True).values_list("article_id", flat=True)
        _accept_article_rows(deal=original, article_ids=list(accepted))
    deal.review_status = ReviewStatus.DUPLICATE
    deal.duplicate_of = original
    deal.reviewed_by, deal.reviewed_at, deal.decided_by = user, timezone.now(), DecidedBy.PERSON
    deal.save(update_fields=["review_status", "duplicate_of", "reviewed_by", "reviewed_at", "decided_by",
                             "updated_at"])  # fmt: skip
    deal_refresh_counts(deal=original)
    return deal


@transaction.atomic
def deal_merge(*, survivor: Deal, other: Deal, user: Any) -> Deal:
    """Two deals are the same agreement: ``other`` becomes a duplicate of ``survivor``.

    Its sources and evidence move over (``deal_mark_duplicate``), and whatever the survivor lacks
    (parties, kinds, sectors, government involvement) is added to it; the survivor's own values win.
    """
    if survivor.pk == other.pk:
        raise ValueError("A deal cannot be merged into itself.")
    deals = {d.pk: d for d in Deal.objects.select_for_update().filter(pk__in=[survivor.pk, other.pk]).order_by("pk")}
    survivor, other = deals[survivor.pk], deals[other.pk]
    for party in other.parties.all():
        DealParty.objects.get_or_create(deal=survivor, company_id=party.company_id, role=party.role,
                                        defaults={"stake_percent": party.stake_percent})  # fmt: skip
    for g in other.government.all():
        GovernmentInvolvement.objects.get_or_create(deal=survivor, body_id=g.body_id, role=g.role,
                                                    defaults={"programme_id": g.programme_id})  # fmt: skip
    survivor.kinds.add(*other.kinds.all())
    survivor.sectors.add(*other.sectors.all())
    if not survivor.amounts.exists():
        other.amounts.update(deal=survivor)
    deal_mark_duplicate(deal=other, original=survivor, user=user)
    return survivor


def _merge_aliases(alias_model: Any, owner_field: str, survivor: Any, merged: Any) -> None:
    names = list(alias_model.objects.filter(**{owner_field: merged}).values_list("name", flat=True))
    _aliases_add(alias_model, owner_field, survivor, [*names, merged.name])


@transaction.atomic
def company_merge(*, survivor: Company, others: list[Company]) -> Company:
    """Fold ``others`` into ``survivor``: every deal, joint venture and representative points to the
    survivor, and the merged companies' names and aliases become its aliases. The others are deleted.
    """
    ids = sorted({c.pk for c in others} - {survivor.pk})
    # Lock in id order so two reviewers merging overlapping sets cannot deadlock.
    list(Company.objects.select_for_update().filter(pk__in=[survivor.pk, *ids]).order_by("pk"))
    for other in Company.objects.filter(pk__in=ids):
        for party in DealParty.objects.filter(company=other):
            if DealParty.objects.filter(deal_id=party.deal_id, company=survivor, role=party.role).exists():
                party.delete()  # the survivor already plays this role in this deal
            else:
                party.company = survivor
                party.save(update_fields=["company"])
        for jv in JointVenture.objects.filter(company=other):
            jv.company = survivor
            jv.save(update_fields=["company"])
        for jv in JointVenture.objects.filter(parents=other):
            jv.parents.remove(other)
            jv.parents.add(survivor)
        for rep in other.representatives.all():
            if not survivor.representatives.filter(name=rep.name).exists():
                rep.company = survivor
                rep.save(update_fields=["company"])
        _merge_aliases(CompanyAlias, "company", survivor, other)
        if not survivor.country and other.country:
            survivor.country = other.country
            survivor.save(update_fields=["country", "updated_at"])
        if not survivor.lei_id and other.lei_id:
            survivor.lei_id = other.lei_id
            survivor.save(update_fields=["lei", "updated_at"])
        company_merging.send(sender=Company, survivor=survivor, other=other)
        other.delete()
    deals_refresh_counts(deal_ids=deals_naming(model=Company, pks=[survivor.pk]))
    return survivor


@transaction.atomic
def body_merge(*, survivor: GovernmentBody, others: list[GovernmentBody]) -> GovernmentBody:
    """Fold ``others`` into ``survivor``: involvements and programmes move, names become aliases."""
    ids = sorted({b.pk for b in others} - {survivor.pk})
    list(GovernmentBody.objects.select_for_update().filter(pk__in=[survivor.pk, *ids]).order_by("pk"))
    for other in GovernmentBody.objects.filter(pk__in=ids):
        for g in GovernmentInvolvement.objects.filter(body=other):
            if GovernmentInvolvement.objects.filter(deal_id=g.deal_id, body=survivor, role=g.role).exists():
                g.delete()
            else:
                g.body = survivor
                g.save(update_fields=["body"])
        for programme in Programme.objects.filter(body=other):
            if Programme.objects.filter(body=survivor, name=programme.name).exists():
                target = Programme.objects.get(body=survivor, name=programme.name)
                GovernmentInvolvement.objects.filter(programme=programme).update(programme=target)
                programme.delete()
            else:
                programme.body = survivor
                programme.save(update_fields=["body"])
        _merge_aliases(GovernmentBodyAlias, "body", survivor, other)
        other.delete()
    deals_refresh_counts(deal_ids=deals_naming(model=GovernmentBody, pks=[survivor.pk]))
    return survivor


@transaction.atomic
def deal_amounts_revalue(*, deal: Deal) -> None:
    """After a reviewer edits amounts: every amount gets its USD value at the deal's date again
    (the published date when the signing date is unknown), and the listing total follows."""
    rates_refresh()
    deal = Deal.objects.get(pk=deal.pk)
    rate_day = deal.signed_on or (
        DealSource.objects.filter(deal=deal, article__published_on__isnull=False)
        .order_by("article__published_on")
        .values_list("article__published_on", flat=True)
        .first()
    )
    for amount in Amount.objects.filter(deal=deal):
        usd, rate, _ = to_usd(amount.value, amount.currency, rate_day)
        if rate is None and amount.usd_rate_source == IMPLIED_RATE and amount.usd_rate:
            continue  # no reference rate: the article's own equivalent stays the best we have
        amount.usd_value = usd if rate else None
        amount.usd_rate = rate.usd_per_unit if rate else None
        amount.usd_rate_date = rate.date if rate else None
        amount.usd_rate_source = rate.source if rate else ""
        amount.usd_provisional = bool(rate and rate.provisional)
        amount.save(update_fields=["usd_value", "usd_rate", "usd_rate_date", "usd_rate_source", "usd_provisional"])
    deal_refresh_counts(deal=deal)


def amounts_revalue_provisional() -> tuple[int, int]:
    """Revalue every amount whose USD value used a provisional rate (its date lay after the last
    known fixing), deal by deal, each in its own transaction. Returns (revalued, still provisional)."""
    deal_ids = list(Amount.objects.filter(usd_provisional=True).values_list("deal_id", flat=True).distinct())
    before = Amount.objects.filter(usd_provisional=True).count()
    for deal_id in deal_ids:
        deal_amounts_revalue(deal=Deal(pk=deal_id))
    after = Amount.objects.filter(usd_provisional=True).count()
    return before - after, after


@dataclass
class RatesLoaded:
    rows: int
    first: dt.date
    last: dt.date
    revalued: int
    provisional: int


def exchange_rates_load(*, fixings: list[Any], source: str, progress: Any = None) -> RatesLoaded:
    """Make these ECB fixings (``deals.rates.parse_history``) the rates of the days they cover, in
    one transaction: the rows of those days are replaced, so a re-load changes nothing and a
    corrected file wins. Then amounts valued at a provisional rate are revalued."""
    from .rates import batches, rates_changed

    first, last = min(f.day for f in fixings), max(f.day for f in fixings)
    with transaction.atomic():
        ExchangeRate.objects.filter(day__gte=first, day__lte=last).delete()
        for batch in batches(fixings, 5000):
            ExchangeRate.objects.bulk_create(
                [ExchangeRate(day=f.day, currency=f.currency, per_eur=f.per_eur, source=source[:300]) for f in batch]
            )
            if progress:
                progress(len(batch))
    rates_changed()  # after the commit: a process must not read the old rows under the new stamp
    revalued, provisional = amounts_revalue_provisional()
    return RatesLoaded(len(fixings), first, last, revalued, provisional)
