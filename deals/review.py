"""What the review desk shows: highlighted evidence, extracted-versus-current values, and the
extractor's real-world precision and recall measured on what reviewers approved.

Read-only helpers; the decisions themselves are services in ``services.py``.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from .names import normalize_name


def pending_countries(deal: Any) -> list[Any]:
    """The countries the deal's articles propose for its companies and bodies that have none:
    what approving the deal (or accepting the article) will make public with it."""
    from django.db.models import Q

    from .models import CountryProposal, ProposalStatus

    companies = [p.company_id for p in deal.parties.all()]
    if getattr(deal, "joint_venture", None) is not None:
        companies.append(deal.joint_venture.company_id)
    bodies = [g.body_id for g in deal.government.all() if g.body_id]
    return list(
        CountryProposal.objects.filter(Q(company_id__in=companies) | Q(body_id__in=bodies),
                                       article_id__in=[s.article_id for s in deal.sources.all()],
                                       status=ProposalStatus.PENDING)
        .select_related("company", "body")
        .order_by("id")
    )  # fmt: skip


# Fields compared between what the extractor proposed and what a reviewer approved.
COMPARED_FIELDS = ("parties", "kinds", "amounts", "signed_on", "place", "destination_country", "joint_venture",
                   "government", "sectors")  # fmt: skip
# What reviewers read for each field, in the table, the highlights and the legend.
FIELD_LABELS = {
    "title": _("title"), "parties": _("parties"), "kinds": _("deal kinds"), "amounts": _("amounts"),
    "signed_on": _("signing date"), "place": _("place of signing"), "destination_country": _("destination"),
    "joint_venture": _("joint venture"), "government": _("government"), "sectors": _("sectors"),
}  # fmt: skip
# Highlight colours of the legend; fields not listed share the default yellow.
LEGEND = ("parties", "amounts", "signed_on", "kinds", "government")


# The extractor's names for fields the deal stores under another name: its evidence says "date"
# where the deal has ``signed_on``; both must read, and highlight, as the same field.
FIELD_ALIASES = {"date": "signed_on"}
# How a value changed between extraction and approval (the Extraction quality page).
CORRECTION_LABELS = {"changed": _("changed"), "removed": _("removed"), "added": _("added")}


def field_code(name: str) -> str:
    return FIELD_ALIASES.get(name, name)


def field_label(name: str) -> str:
    name = field_code(name)
    return str(FIELD_LABELS.get(name, name.replace("_", " ")))


def correction_label(code: str) -> str:
    return str(CORRECTION_LABELS.get(code, code))


def _kind_label(code: str) -> str:
    from .models import DealKindCode

    return str(DealKindCode(code).label) if code in DealKindCode.values else code


def _sector_label(name: str) -> str:
    from .models import SECTOR_LABELS

    return str(SECTOR_LABELS.get(name, name))


def legend() -> list[tuple[str, str]]:
    """(css class, label) per highlight colour; the colours themselves are in the page's style."""
    return [("ev-parties", f"{field_label('parties')}, {field_label('joint_venture')}"),
            ("ev-amounts", field_label("amounts")),
            ("ev-signed_on", f"{field_label('signed_on')}, {field_label('place')}"),
            ("ev-government", field_label("government")),
            ("", str(_("other fields")))]  # fmt: skip


def missing_fields(deal: Any) -> list[str]:
    """What a reviewer must still find for the deal (from its joined columns: no query per row)."""
    from .export import SEPARATOR

    missing = []
    if len((deal.joined_parties or "").split(SEPARATOR)) < 2 or not deal.joined_parties:
        missing.append("parties")
    if not deal.joined_kinds:
        missing.append("kinds")
    if not deal.joined_amounts:
        missing.append("amounts")
    if not deal.signed_on:
        missing.append("signed_on")
    if not deal.destination_country:
        missing.append("destination_country")
    return [field_label(f) for f in missing]


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    field: str
    anchor: str


def highlight(text: str, spans: Iterable[Span]) -> SafeString:
    """The article text, escaped, with each evidence span wrapped in a ``<mark>``.

    Spans may overlap (a party's name inside the amount's sentence): the text is cut at every
    span boundary and each piece is marked with all the fields covering it, so nothing is
    nested wrongly and every character of the article is shown exactly once.
    """
    spans = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    out: list[str] = []
    first_anchor_done: set[str] = set()
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = escape(text[a:b])
        covering = [s for s in spans if s.start <= a and b <= s.end]
        if not covering:
            out.append(piece)
            continue
        fields = sorted({field_code(s.field) for s in covering})
        anchors = [s.anchor for s in covering if s.start == a and s.anchor not in first_anchor_done]
        first_anchor_done.update(anchors)
        id_attr = format_html(' id="{}"', anchors[0]) if anchors else ""
        out.append(
            format_html(
                '<mark class="evidence {}"{} data-fields="{}" title="{}">{}</mark>',
                " ".join(f"ev-{f}" for f in fields),
                id_attr,
                " ".join(fields),
                ", ".join(field_label(f) for f in fields),
                piece,
            )  # fmt: skip
        )
    return mark_safe("".join(out))  # every piece above was escaped


# ---- comparable values -------------------------------------------------------------------------


def _amount_key(value: Any, currency: str) -> str:
    try:
        return f"{Decimal(str(value)).normalize():f} {currency}"
    except (InvalidOperation, ValueError):
        return f"{value} {currency}"


def extracted_values(item: dict[str, Any]) -> dict[str, set[str]]:
    """What the extractor proposed for one deal, as sets of comparable strings per field."""
    amounts = item.get("amounts") or []
    groups: dict[Any, dict[str, Any]] = {}
    for a in amounts:
        groups.setdefault(a.get("group", 0), a)  # the first of a group is the primary, as in draft_upsert
    jv = item.get("joint_venture")
    return {
        "parties": {normalize_name(p["name"]) for p in item.get("parties", []) if p.get("name")},
        "kinds": set(item.get("kinds") or []),
        "amounts": {_amount_key(a["value"], a["currency"]) for a in groups.values()},
        "signed_on": {item["date"]} if item.get("date") else set(),
        "place": {item["place"].strip()} if item.get("place") else set(),
        "destination_country": {item["destination_country"]} if item.get("destination_country") else set(),
        "joint_venture": {normalize_name(jv["name"])} if jv and jv.get("name") else set(),
        "government": {normalize_name(g["name"]) for g in item.get("government", []) if g.get("name")},
        "sectors": {s for s in item.get("sectors", []) if s},
    }


def _date_value(deal: Any) -> set[str]:
    """The signing date at the precision the deal records, as the extractor writes it."""
    if not deal.signed_on:
        return set()
    formats = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}
    fmt = formats.get(deal.date_precision)
    return {deal.signed_on.strftime(fmt)} if fmt else set()


def with_compared_relations(deals: Any) -> Any:
    """The queryset with everything ``current_values`` reads, fetched in a fixed number of queries."""
    return deals.select_related("joint_venture__company").prefetch_related(
        "parties__company__aliases", "kinds", "amounts", "sectors", "government__body",
        "joint_venture__company__aliases",
    )  # fmt: skip


def current_values(deal: Any) -> dict[str, set[str]]:
    """The deal as it stands now, in the same shape as ``extracted_values``.

    A party is compared by all its company's aliases, so a reviewer merging two companies does
    not count as a correction of the party. Expects parties, aliases, amounts, kinds, sectors,
    government and joint venture prefetched.
    """

    def names_of(company: Any) -> set[str]:
        return {a.normalized for a in company.aliases.all()} | {normalize_name(company.name)}

    jv = getattr(deal, "joint_venture", None)
    return {
        "parties": set().union(*(names_of(p.company) for p in deal.parties.all())) if deal.parties.all() else set(),
        "kinds": {k.code for k in deal.kinds.all()},
        "amounts": {_amount_key(a.value, a.currency) for a in deal.amounts.all()},
        "signed_on": _date_value(deal),
        "place": {deal.place.strip()} if deal.place else set(),
        "destination_country": {str(deal.destination_country)} if deal.destination_country else set(),
        "joint_venture": names_of(jv.company) if jv else set(),
        "government": {normalize_name(g.body.name) for g in deal.government.all() if g.body_id},
        "sectors": {s.name for s in deal.sectors.all()},
    }


@dataclass
class FieldScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass
class CorrectionStats:
    deals: int = 0
    by_version: dict[str, dict[str, FieldScore]] = field(default_factory=dict)
    corrections: Counter = field(default_factory=Counter)


def _compare_parties(proposed: set[str], deal: Any, score: FieldScore) -> tuple[int, int]:
    """Parties match by any alias of the approved company; returns (removed, added)."""
    matched_companies = set()
    fp = 0
    for name in proposed:
        hit = next(
            (p.company_id for p in deal.parties.all()
             if name in ({a.normalized for a in p.company.aliases.all()} | {normalize_name(p.company.name)})),
            None,
        )  # fmt: skip
        if hit is None:
            fp += 1
        else:
            matched_companies.add(hit)
    fn = len({p.company_id for p in deal.parties.all()} - matched_companies)
    score.tp += len(matched_companies)
    score.fp += fp
    score.fn += fn
    return fp, fn


def correction_stats(deals: Iterable[Any]) -> CorrectionStats:
    """Field-by-field precision and recall of the extractor against approved deals, per extractor
    version, and a count of the kinds of correction reviewers made."""
    stats = CorrectionStats()
    for deal in deals:
        if not deal.extracted:
            continue  # entered by hand: nothing was proposed
        stats.deals += 1
        per_field = stats.by_version.setdefault(deal.extractor_version or "unknown", defaultdict(FieldScore))
        proposed = extracted_values(deal.extracted)
        current = current_values(deal)
        for name in COMPARED_FIELDS:
            score = per_field[name]
            if name == "parties":
                removed, added = _compare_parties(proposed[name], deal, score)
            else:
                p, c = proposed[name], current[name]
                score.tp += len(p & c)
                score.fp += len(p - c)
                score.fn += len(c - p)
                removed, added = len(p - c), len(c - p)
            if removed and added:
                stats.corrections[(name, "changed")] += 1
            elif removed:
                stats.corrections[(name, "removed")] += 1
            elif added:
                stats.corrections[(name, "added")] += 1
    return stats


def field_rows(deal: Any) -> list[dict[str, Any]]:
    """Rows for the draft page: each field's extracted value beside its current value."""
    proposed = extracted_values(deal.extracted or {})
    current = current_values(deal)
    human = set(deal.human_set_fields or [])
    item = deal.extracted or {}
    shown_proposed = {**proposed, "parties": {p["name"] for p in item.get("parties", []) if p.get("name")}}
    shown_current = {**current, "parties": {p.company.name for p in deal.parties.all()}}
    jv = getattr(deal, "joint_venture", None)
    shown_current["joint_venture"] = {jv.company.name} if jv else set()
    # Codes and taxonomy names read in the reviewer's language.
    for shown in (shown_proposed, shown_current):
        shown["kinds"] = {_kind_label(k) for k in shown["kinds"]}
        shown["sectors"] = {_sector_label(n) for n in shown["sectors"]}
    rows = []
    for name in COMPARED_FIELDS:
        if name == "parties":
            removed, added = _compare_parties(proposed[name], deal, FieldScore())
            differs = bool(removed or added)
        else:
            differs = proposed[name] != current[name]
        rows.append(
            {
                "field": name,
                "label": field_label(name),
                "extracted": ", ".join(sorted(shown_proposed[name])) or "—",
                "current": ", ".join(sorted(shown_current[name])) or "—",
                "differs": bool(item) and differs,
                "human_set": name in human,
            }
        )
    return rows
