"""The listing's table rows, read as plain values and written as HTML by string building.

A page of 25 deals through model instances, six prefetches and the template's loops cost about
two thirds of the listing's Python time (profile in docs/benchmarks.md). The deal row already
holds what a row shows (the joined columns the services keep, see ``deals.export.JOINED``); only
the parties need their own query, for the links to the company pages. Every text is escaped.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from .display import korean, money_text, title_text, usd_text
from .export import SEPARATOR
from .models import Deal, DealKindCode, DealParty

_PLACEHOLDER = 987654321


@dataclass
class Row:
    pk: int
    signed_on: object
    title: str
    usd_total: Decimal | None
    destination: str
    kinds: str | None
    amounts: str | None
    government: str | None
    parties: list[tuple[int, str, str]] = field(default_factory=list)


def fetch_rows(ids: list[int]) -> list[Row]:
    """The rows for these deal ids (any order): two queries whatever the page size."""
    columns = ["pk", "signed_on", "title", "usd_total", "destination_country", "joined_kinds", "joined_amounts",
               "joined_government"]  # fmt: skip
    rows = {values[0]: Row(*values) for values in Deal.objects.filter(pk__in=ids).values_list(*columns)}
    parties = DealParty.objects.filter(deal_id__in=ids).order_by("id")
    for deal_id, company_id, name, country in parties.values_list(
        "deal_id", "company_id", "company__name", "company__country"
    ):
        rows[deal_id].parties.append((company_id, name, country))
    return list(rows.values())


def _url_pattern(name: str) -> str:
    return escape(reverse(name, args=[_PLACEHOLDER])).replace(str(_PLACEHOLDER), "{}")


def _number(text: str) -> str:
    try:
        return f"{Decimal(text):,.0f}"
    except InvalidOperation:
        return escape(text)


def _amount(text: str) -> str:
    value, _, currency = text.rpartition(" ")
    if korean():
        try:
            return escape(money_text(Decimal(value), currency))
        except InvalidOperation:
            pass
    return f"{_number(value)} {escape(currency)}"


def rows_html(rows: list[Row]) -> SafeString:
    """The <tr> of each row, as the listing template used to write them."""
    deal_url, company_url = _url_pattern("deal-detail"), _url_pattern("company-detail")
    kind_labels = {code: str(label) for code, label in DealKindCode.choices}
    out = []
    for r in rows:
        parties = "<br>".join(
            f'<a href="{company_url.format(cid)}">{escape(name)}</a> <span class="muted">{escape(country or "?")}</span>'
            for cid, name, country in r.parties
        )
        kinds = ", ".join(escape(kind_labels.get(k, k)) for k in (r.kinds or "").split(SEPARATOR) if k)
        amounts = "<br>".join(_amount(a) for a in (r.amounts or "").split(SEPARATOR) if a)
        usd = escape(usd_text(r.usd_total))
        government = "<br>".join(escape(g) for g in (r.government or "").split(SEPARATOR) if g)
        out.append(
            f'<tr><td class="num">{escape(str(r.signed_on)) if r.signed_on else "—"}</td>'
            f'<td><a href="{deal_url.format(r.pk)}">{escape(title_text(r.title))}</a></td>'
            f'<td>{parties}</td><td>{kinds}</td><td class="num">{amounts}</td><td class="num">{usd}</td>'
            f"<td>{escape(r.destination or '')}</td><td>{government}</td></tr>"
        )
    return mark_safe("\n".join(out))  # every text above is escaped
