"""Screening workflows: loading lists and the registry, screening companies, deciding flags.

Each load is one transaction: a file that turns out malformed or truncated half-way raises
``LoadError`` and the database is as it was. Entities are written in batches (bounded memory);
the ones a load did not see are marked delisted and their open flags cleared, in history.
"""

from __future__ import annotations

import datetime as dt
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from deals.models import Company, Deal, DealParty, JointVenture

from . import formats, matching
from .formats import Counted, Entry, LoadError
from .models import (
    ListedEntity,
    ListedName,
    ListFormat,
    ListLoad,
    MatchStatus,
    RegistryEntity,
    RegistryName,
    ScreeningList,
    ScreeningMatch,
)

BATCH = 1000
# A reload that would delist more than this share of a list of at least SHRINK_MIN entities is
# refused unless asked for: a file cut at a line boundary looks complete but is not.
SHRINK_SHARE = 0.5
SHRINK_MIN = 20
MAX_FLAGS = 5  # per company


@dataclass
class LoadReport:
    list_name: str
    entities: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0
    unchanged: int = 0
    flags_cleared: int = 0


@contextmanager
def open_source(source: str, *, progress: Any = None) -> Iterator[Counted]:
    """A local path or an http(s) URL, read as a counted byte stream."""
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=settings.FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
            yield Counted(response, progress)
    else:
        path = Path(source)
        if not path.is_file():
            raise LoadError(f"{source}: no such file.")
        with path.open("rb") as f:
            yield Counted(f, progress)


def _batched(items: Iterable[Any], n: int) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(islice(it, n)):
        yield batch


def _entity_fields(entry: Entry) -> dict[str, Any]:
    return {"schema": entry.schema[:40], "caption": entry.caption[:500], "names": entry.names,
            "countries": entry.countries, "identifiers": entry.identifiers, "programmes": entry.programmes,
            "first_seen": entry.first_seen, "last_seen": entry.last_seen}  # fmt: skip


def _name_rows(model: Any, pairs: Iterable[tuple[Any, list[str]]]) -> list[Any]:
    return [model(entity_id=pk, kind=kind, key=key, name=name)
            for pk, names in pairs for kind, key, name in matching.keys_of(names)]  # fmt: skip


def screening_list_load(*, stream: BinaryIO | Counted, fmt: str, list_name: str, file_name: str = "",
                        source_url: str = "", licence: str = "", list_date: dt.date | None = None,
                        allow_shrink: bool = False) -> LoadReport:  # fmt: skip
    """Replace the list ``list_name`` with the file's entities, atomically; report what changed."""
    if fmt not in ListFormat.values:
        raise LoadError(f"Unknown format {fmt!r}; one of {', '.join(ListFormat.values)}.")
    counted = stream if isinstance(stream, Counted) else Counted(stream)
    report = LoadReport(list_name=list_name)
    sanctions: dict[str, list[str]] = {}
    entries = (formats.read_ftm_jsonl(counted, sanctions) if fmt == ListFormat.FTM_JSONL
               else formats.READERS[fmt](counted))  # fmt: skip
    with transaction.atomic():
        lst, _ = ScreeningList.objects.select_for_update().get_or_create(name=list_name, defaults={"format": fmt})
        load = ListLoad.objects.create(list=lst, file_name=file_name[:500], sha256="")
        for batch in _batched(entries, BATCH):
            _load_batch(lst, load, batch, report)
        if sanctions:
            _attach_programmes(lst, load, sanctions, report)
        if report.entities == 0:
            raise LoadError(f"{file_name or 'The file'}: no entities; a list is never emptied by a load.")
        gone = ListedEntity.objects.filter(list=lst, delisted_at__isnull=True).exclude(last_load=load)
        report.removed = gone.count()
        before = report.removed + report.unchanged + report.changed
        if not allow_shrink and before >= SHRINK_MIN and report.removed > SHRINK_SHARE * before:
            raise LoadError(f"This load would delist {report.removed} of {before} entities: is the file complete? "
                            "Load it with --allow-shrink if the list really shrank.")  # fmt: skip
        now = timezone.now()
        report.flags_cleared = _clear_flags(
            ScreeningMatch.objects.filter(entity__in=gone, status=MatchStatus.OPEN),
            reason=f"delisted by the load of {list_name} on {now:%Y-%m-%d}",
        )  # fmt: skip
        gone.update(delisted_at=now)
        lst.format, lst.loaded_at = fmt, now
        lst.source_url = source_url or lst.source_url
        lst.licence = licence or lst.licence
        lst.list_date = list_date or now.date()
        lst.entity_count = ListedEntity.objects.filter(list=lst, delisted_at__isnull=True).count()
        lst.save()
        load.sha256, load.finished_at, load.entities = counted.sha256.hexdigest(), now, report.entities
        load.added, load.removed, load.changed = report.added, report.removed, report.changed
        load.flags_cleared = report.flags_cleared
        load.save()
    return report


def _load_batch(lst: ScreeningList, load: ListLoad, batch: list[Entry], report: LoadReport) -> None:
    ids = [e.external_id[:200] for e in batch]
    if len(set(ids)) != len(ids):
        raise LoadError(f"The file names entity {next(i for i in ids if ids.count(i) > 1)!r} twice.")
    existing = {x.external_id: x for x in ListedEntity.objects.filter(list=lst, external_id__in=ids)
                .only("pk", "external_id", "content_hash", "last_load_id", "delisted_at")}  # fmt: skip
    new, changed, same = [], [], []
    for entry in batch:
        old, digest = existing.get(entry.external_id[:200]), entry.content_hash()
        if old is not None and old.last_load_id == load.pk:
            raise LoadError(f"The file names entity {entry.external_id!r} twice.")
        if old is None:
            new.append(ListedEntity(list=lst, external_id=entry.external_id[:200], content_hash=digest,
                                    last_load=load, **_entity_fields(entry)))  # fmt: skip
        elif old.content_hash != digest or old.delisted_at is not None:
            for k, v in _entity_fields(entry).items():
                setattr(old, k, v)
            old.content_hash, old.last_load, old.delisted_at = digest, load, None
            changed.append((old, entry))
        else:
            same.append(old.pk)
    ListedEntity.objects.bulk_create(new, batch_size=BATCH)
    if changed:
        ListedEntity.objects.bulk_update([o for o, _ in changed], ["schema", "caption", "names", "countries",
                                         "identifiers", "programmes", "first_seen", "last_seen", "content_hash",
                                         "last_load", "delisted_at"], batch_size=BATCH)  # fmt: skip
        ListedName.objects.filter(entity__in=[o.pk for o, _ in changed]).delete()
    if same:
        ListedEntity.objects.filter(pk__in=same).update(last_load=load)
    ListedName.objects.bulk_create(_name_rows(ListedName, [(o.pk, o.names) for o in new]
                                              + [(o.pk, e.names) for o, e in changed]), batch_size=5000)  # fmt: skip
    report.entities += len(batch)
    report.added += len(new)
    report.changed += len(changed)
    report.unchanged += len(same)


def _attach_programmes(lst: ScreeningList, load: ListLoad, sanctions: dict[str, list[str]], report: LoadReport) -> None:
    """FtM files name programmes on separate Sanction entities: set them once every line is read
    (an entity of an earlier load whose programmes differ now counts as changed)."""
    for keys in _batched(sanctions, BATCH):
        rows = ListedEntity.objects.filter(list=lst, external_id__in=keys, last_load=load)
        for entity in rows.only("pk", "external_id", "programmes"):
            programmes = sanctions[entity.external_id]
            if programmes != entity.programmes:
                if entity.programmes:
                    report.changed += 1
                ListedEntity.objects.filter(pk=entity.pk).update(programmes=programmes)


def _clear_flags(matches: Any, *, reason: str) -> int:
    n = 0
    for match in matches.select_related(None):
        match.status, match.decision_reason = MatchStatus.CLEARED, reason
        match._change_reason = reason
        match.save(update_fields=["status", "decision_reason", "updated_at"])
        n += 1
    return n


# ---- the LEI registry ------------------------------------------------------------------------------


@dataclass
class RegistryReport:
    entities: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0


_REGISTRY_FIELDS = ("legal_name", "other_names", "jurisdiction", "country", "address", "status", "registration_status")


def registry_load(*, stream: BinaryIO | Counted) -> RegistryReport:
    """Add or update LEI records from a GLEIF level-1 CSV, atomically. Records absent from the file
    stay: the golden copy keeps lapsed and retired LEIs with their status."""
    counted = stream if isinstance(stream, Counted) else Counted(stream)
    report = RegistryReport()
    with transaction.atomic():
        for batch in _batched(formats.read_gleif_csv(counted), BATCH):
            leis = [r.lei for r in batch]
            if len(set(leis)) != len(leis):
                raise LoadError(f"The file names LEI {next(x for x in leis if leis.count(x) > 1)} twice.")
            existing = RegistryEntity.objects.in_bulk(leis)
            new, changed = [], []
            for r in batch:
                values = {k: getattr(r, k) for k in _REGISTRY_FIELDS}
                values["legal_name"] = values["legal_name"][:500]
                old = existing.get(r.lei)
                if old is None:
                    new.append(RegistryEntity(lei=r.lei, **values))
                elif any(getattr(old, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(old, k, v)
                    changed.append(old)
                else:
                    report.unchanged += 1
            RegistryEntity.objects.bulk_create(new)
            if changed:
                RegistryEntity.objects.bulk_update(changed, [*_REGISTRY_FIELDS, "loaded_at"])
                RegistryName.objects.filter(entity__in=[c.pk for c in changed]).delete()
            RegistryName.objects.bulk_create(
                _name_rows(RegistryName, [(e.pk, [e.legal_name, *e.other_names]) for e in [*new, *changed]]),
                batch_size=5000,
            )  # fmt: skip
            report.entities += len(batch)
            report.added += len(new)
            report.changed += len(changed)
        if report.entities == 0:
            raise LoadError("The file holds no LEI records.")
    return report


# ---- screening -------------------------------------------------------------------------------------


def company_names(company: Company) -> list[str]:
    # Every name, pending ones too: screening is for the desk, and a pending name is still a name.
    prefetched = getattr(company, "_prefetched_objects_cache", {}).get("aliases")
    aliases = [a.name for a in prefetched] if prefetched is not None else company.aliases.values_list("name", flat=True)
    return list(dict.fromkeys([company.name, *aliases]))


def company_screen(*, company: Company) -> list[ScreeningMatch]:
    """Match one company against every active list entity; open, update or clear its flags.

    A flag a reviewer confirmed or dismissed is left as decided. Returns the company's open flags."""
    names = company_names(company)
    ids = matching.candidate_ids(ListedName, names, active={"delisted_at__isnull": True})
    entities = ListedEntity.objects.filter(pk__in=ids).values_list("pk", "names", "countries") if ids else []
    # The best few only: a name shared by dozens of listed entities is for an identifier to settle,
    # and a desk shown thirty flags reads none.
    ranked = [c for c in matching.rank(names, company.country.code or "", entities) if c.strength][:MAX_FLAGS]
    if not ranked:
        # The common case, in one statement: nothing matches, so any open flag no longer does.
        _clear_flags(
            ScreeningMatch.objects.filter(company=company, status=MatchStatus.OPEN), reason="no longer matches"
        )
        return []
    with transaction.atomic():
        current = {m.entity_id: m for m in ScreeningMatch.objects.select_for_update().filter(company=company)}
        for c in ranked:
            values = {"score": c.score, "strength": c.strength, "company_name": c.query_name[:500],
                      "listed_name": c.matched_name[:500], "reasons": c.reasons}  # fmt: skip
            match = current.get(c.entity_id)
            if match is None:
                match = ScreeningMatch(company=company, entity_id=c.entity_id, **values)
                match._change_reason = "screened"
                match.save()
                current[c.entity_id] = match
            elif match.status in (MatchStatus.OPEN, MatchStatus.CLEARED):
                reopen = match.status == MatchStatus.CLEARED
                if reopen or any(getattr(match, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(match, k, v)
                    match.status = MatchStatus.OPEN
                    if reopen:
                        match.decision_reason = ""
                    match._change_reason = "screened again"
                    match.save()
        found = {c.entity_id for c in ranked}
        stale = [m.pk for m in current.values() if m.status == MatchStatus.OPEN and m.entity_id not in found]
        if stale:
            _clear_flags(ScreeningMatch.objects.filter(pk__in=stale), reason="no longer matches")
    return [m for m in current.values() if m.status == MatchStatus.OPEN and m.entity_id in found]


def deal_company_ids(deal_ids: Iterable[int]) -> list[int]:
    # Two index lookups; an OR of two IN subqueries plans badly on big tables (FIELD-NOTES).
    ids = list(deal_ids)
    parties = DealParty.objects.filter(deal__in=ids).values_list("company_id", flat=True)
    ventures = JointVenture.objects.filter(deal__in=ids).values_list("company_id", flat=True)
    return sorted(set(parties) | set(ventures))


def deals_screen(*, deal_ids: Iterable[int]) -> int:
    """Screen every party (and joint venture) of the deals; the number of open flags found."""
    if not ListedEntity.objects.filter(delisted_at__isnull=True).exists():
        return 0  # no list loaded: one query, not one per party
    companies = Company.objects.filter(pk__in=deal_company_ids(deal_ids)).prefetch_related("aliases")
    return sum(len(company_screen(company=c)) for c in companies)


def companies_screen_all(*, progress: Any = None, chunk: int = 500) -> int:
    """Screen every company (after a list reload), in chunks by id; the number of open flags."""
    found, last = 0, 0
    while True:
        companies = list(Company.objects.filter(pk__gt=last).order_by("pk").prefetch_related("aliases")[:chunk])
        if not companies:
            return found
        for company in companies:
            found += len(company_screen(company=company))
        last = companies[-1].pk
        if progress is not None:
            progress.update(len(companies))


def company_merging_move_flags(sender: Any, survivor: Company, other: Company, **kwargs: Any) -> None:
    """A merged company's flags move to the survivor with their decisions; where both were flagged
    for the same entity, the survivor's flag stays and the other's goes with its company."""
    taken = set(ScreeningMatch.objects.filter(company=survivor).values_list("entity_id", flat=True))
    for match in ScreeningMatch.objects.filter(company=other).exclude(entity_id__in=taken):
        match.company = survivor
        match._change_reason = f"company {other.pk} merged into {survivor.pk}"
        match.save(update_fields=["company", "updated_at"])


def screening_match_decide(*, match: ScreeningMatch, decision: str, reason: str, user: Any) -> ScreeningMatch:
    """Confirm (it is that entity) or dismiss (it is not) a flag, with a reason kept in history."""
    if decision not in (MatchStatus.CONFIRMED, MatchStatus.DISMISSED):
        raise ValueError("A decision is either confirmed or dismissed.")
    if not reason.strip():
        raise ValueError("A screening decision needs a reason.")
    with transaction.atomic():
        match = ScreeningMatch.objects.select_for_update().get(pk=match.pk)
        match.status, match.decision_reason = decision, reason.strip()
        match.decided_by, match.decided_at = user, timezone.now()
        match._change_reason = f"{decision} by a reviewer"
        match.save()
    return match


# ---- the registry link -----------------------------------------------------------------------------


def registry_suggestions(*, company: Company, limit: int = 5) -> list[matching.Candidate]:
    """LEI records whose names match the company's, ranked, with the reasons."""
    names = company_names(company)
    ids = matching.candidate_ids(RegistryName, names)
    rows = RegistryEntity.objects.filter(pk__in=ids).values_list("pk", "legal_name", "other_names", "country")
    entities = [(pk, [legal, *others], [country]) for pk, legal, others, country in rows]
    return [c for c in matching.rank(names, company.country.code or "", entities) if c.strength][:limit]


def company_lei_link(*, company: Company, lei: str | None) -> Company:
    """Link a company to an LEI record (or unlink it with ``None``); the public pages show the LEI."""
    entity = RegistryEntity.objects.get(pk=lei) if lei else None
    company.lei = entity
    company._change_reason = f"LEI {'set to ' + lei if lei else 'removed'}"
    company.save(update_fields=["lei", "updated_at"])
    return company


def deal_open_strong_matches(deal: Deal) -> list[ScreeningMatch]:
    return list(ScreeningMatch.objects.filter(
        Q(company__deal_parties__deal=deal) | Q(company__joint_ventures__deal=deal),
        status=MatchStatus.OPEN, strength="strong",
    ).distinct().select_related("entity__list"))  # fmt: skip
