"""Aggregates for the public charts, and their drawing as plain SVG (no JavaScript, no CDN).

Every aggregate starts from the ids of the *filtered approved* deals, so the charts show exactly
what the listing with the same URL parameters shows, and never a draft.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import Deal, DealParty, GovernmentInvolvement, Lifecycle, Sector

TOP = 15


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    usd: Decimal
    count_pct: float
    usd_pct: float


def _bars(rows: list[tuple[str, int, Decimal | None]]) -> list[Bar]:
    max_n = max((n for _label, n, _usd in rows), default=0) or 1
    max_usd = max((u or 0 for _label, _n, u in rows), default=0) or 1
    return [
        Bar(label, n, usd or Decimal(0), round(100 * n / max_n, 1), round(float(100 * (usd or 0) / max_usd), 1))
        for label, n, usd in rows
    ]


WIDTH, ROW, LABEL_W, VALUE_W = 640, 22, 230, 110


def svg_rows(bars: list[Bar], measure: str) -> dict[str, Any]:
    """Geometry of a horizontal bar chart: one row per bar, label | bar | value."""
    span = WIDTH - LABEL_W - VALUE_W
    rows = []
    for i, b in enumerate(bars):
        pct = b.usd_pct if measure == "usd" else b.count_pct
        w = round(span * pct / 100, 1)
        value = f"${b.usd:,.0f}" if measure == "usd" else f"{b.count:,}"
        rows.append({"label": b.label, "y": i * ROW, "text_y": i * ROW + 15, "w": w, "value_x": LABEL_W + w + 6,
                     "value": value, "count": b.count, "usd": b.usd})  # fmt: skip
    return {"rows": rows, "height": max(len(bars), 1) * ROW, "width": WIDTH, "label_w": LABEL_W, "bar_h": ROW - 6}


INVESTOR_ROLES = ("investor", "acquirer", "licensor", "jv_parent")


def chart_data(deals: QuerySet[Deal]) -> dict[str, Any]:
    """Deal count and USD by year, by investor country to destination, by sector and by programme."""
    ids = deals.order_by().values("id")
    base = Deal.objects.filter(id__in=ids)
    by_year = (
        base.exclude(signed_on=None).annotate(year=ExtractYear("signed_on")).values("year")
        .annotate(n=Count("id"), usd=Sum("usd_total")).order_by("year")
    )  # fmt: skip
    names = dict(countries)
    # Investors only: the investee of a deal into Korea is no flow of capital from Korea.
    pairs = (
        DealParty.objects.filter(deal_id__in=ids, role__in=INVESTOR_ROLES)
        .exclude(company__country="")
        .exclude(company__country=F("deal__destination_country"))
        .values("company__country", "deal__destination_country")
        .annotate(n=Count("deal_id", distinct=True))
        .order_by("-n", "company__country")[:TOP]
    )
    sectors = (
        Sector.objects.filter(deals__in=ids)
        .annotate(n=Count("deals"), usd=Sum("deals__usd_total"))
        .order_by("-n")[:TOP]
    )
    programmes = (
        GovernmentInvolvement.objects.filter(deal_id__in=ids, programme__isnull=False)
        .values("programme__name")
        .annotate(n=Count("deal_id", distinct=True), usd=Sum("deal__usd_total"))
        .order_by("-n")[:TOP]
    )
    pair_label = "{} → {}".format
    years = _bars([(str(r["year"]), r["n"], r["usd"]) for r in by_year])
    pair_bars = _bars(
        [
            (pair_label(names.get(r["company__country"], r["company__country"]),
                        names.get(r["deal__destination_country"], r["deal__destination_country"] or str(_("unknown")))), r["n"], None)
            for r in pairs
        ]
    )  # fmt: skip
    sector_bars = _bars([(s.label, s.n, s.usd) for s in sectors])
    programme_bars = _bars([(r["programme__name"], r["n"], r["usd"]) for r in programmes])
    charts = [
        ("year-count", _("Deals by year"), years, "count"),
        ("year-usd", _("USD committed by year"), years, "usd"),
        ("country-pair", _("Investor country → destination (deals)"), pair_bars, "count"),
        ("sector", _("Deals by sector"), sector_bars, "count"),
        ("programme", _("Deals by programme"), programme_bars, "count"),
    ]
    return {
        "total": base.aggregate(n=Count("id"), usd=Sum("usd_total")),
        "charts": [{"id": i, "caption": c, "svg": svg_rows(b, m)} for i, c, b, m in charts],
    }


FUNNEL = [Lifecycle.MOU_SIGNED, Lifecycle.AGREEMENT_SIGNED, Lifecycle.COMPLETED]


def programme_funnel(deals: QuerySet[Deal]) -> dict[str, Any]:
    """How far a programme's deals got: MOUs → agreements → completed, and the USD committed.

    A deal at a later stage has passed the earlier ones, so each step counts the deals at that
    stage or beyond; cancelled deals are shown apart.
    """
    counts = dict(deals.order_by().values_list("lifecycle").annotate(n=Count("id")))
    reached, steps = 0, []
    for stage in reversed(FUNNEL):
        reached += counts.get(stage, 0)
        steps.append((stage, reached))
    steps.reverse()
    top = max((n for _stage, n in steps), default=0) or 1
    committed = deals.exclude(lifecycle=Lifecycle.CANCELLED).aggregate(usd=Sum("usd_total"))["usd"]
    return {
        "steps": [{"label": Lifecycle(s).label, "count": n, "pct": round(100 * n / top, 1)} for s, n in steps],
        "cancelled": counts.get(Lifecycle.CANCELLED, 0),
        "announced": counts.get(Lifecycle.ANNOUNCED, 0),
        "usd_committed": committed or Decimal(0),
    }
