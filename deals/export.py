"""CSV export of deals: the columns are defined once here and documented from this list."""

import csv
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .models import Deal

# A text cell starting with one of these is read as a formula by spreadsheets (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def _parties(deal: Deal) -> str:
    return "; ".join(f"{p.company.name} ({p.company.country or '?'}, {p.role})" for p in deal.parties.all())


def _amounts(deal: Deal) -> str:
    return "; ".join(f"{a.value} {a.currency}" for a in deal.amounts.all())


def _usd(deal: Deal) -> str:
    return "; ".join(str(a.usd_value) for a in deal.amounts.all() if a.usd_value is not None)


def _rate_dates(deal: Deal) -> str:
    return "; ".join(str(a.usd_rate_date) for a in deal.amounts.all() if a.usd_rate_date)


def _jv(deal: Deal) -> str:
    jv = getattr(deal, "joint_venture", None)
    return jv.company.name if jv else ""


def _programmes(deal: Deal) -> str:
    return "; ".join(str(g.programme or g.body) for g in deal.government.all())


def _sources(deal: Deal) -> str:
    return " ".join(s.article.url or f"article:{s.article_id}" for s in deal.sources.all())


# (header, description, getter): one definition for export and for the docs.
COLUMNS: list[tuple[str, str, Callable[[Deal], Any]]] = [
    ("id", "Deal id", lambda d: d.pk),
    ("title", "Title", lambda d: d.title),
    ("kinds", "Deal kinds, ';'-separated", lambda d: ";".join(k.code for k in d.kinds.all())),
    ("lifecycle", "Lifecycle status", lambda d: d.lifecycle),
    ("signed_on", "Signing date", lambda d: d.signed_on or ""),
    ("date_precision", "Precision of the signing date", lambda d: d.date_precision),
    ("parties", "Parties: name (country, role)", _parties),
    ("joint_venture", "Joint venture created", _jv),
    ("amounts", "Amounts in original currency", _amounts),
    ("usd", "Amounts in USD", _usd),
    ("rate_dates", "Dates of the exchange rates used", _rate_dates),
    ("destination", "Destination country", lambda d: d.destination_country.code or ""),
    ("government", "Government bodies and programmes", _programmes),
    ("sectors", "Sectors", lambda d: ";".join(s.name for s in d.sectors.all())),
    ("sources", "Source article URLs", _sources),
]


def neutralize(value: Any) -> Any:
    """Make a text cell safe for spreadsheets; numbers are left alone."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(deals: Iterable[Deal], *, bom: bool = False) -> Iterator[str]:
    """Yield CSV lines for the given deals, the header first."""
    writer = csv.writer(_Echo())
    if bom:
        yield "\ufeff"
    yield writer.writerow([c[0] for c in COLUMNS])
    for deal in deals:
        yield writer.writerow([neutralize(getter(deal)) for _, _, getter in COLUMNS])
