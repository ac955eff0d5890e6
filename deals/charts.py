"""Aggregates for the public charts, and their drawing as plain SVG (no JavaScript, no CDN).

Every aggregate starts from the ids of the *filtered approved* deals, so the charts show exactly
what the listing with the same URL parameters shows, and never a draft. Each chart carries its
numbers as a table: the page shows it to screen readers (and to anyone who opens it), and
``/stats/chart.csv`` sends the same rows.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any

from django.db.models import Case, Count, F, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import ExtractYear
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from . import worldmap
from .models import INVESTOR_ROLES, Deal, DealKindCode, DealParty, GovernmentInvolvement, Lifecycle, Sector
from .templatetags.money import money

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
                     "value": value, "count": b.count, "usd": b.usd, "pct": round(float(pct or 0), 1)})  # fmt: skip
    return {"rows": rows, "height": max(len(bars), 1) * ROW, "width": WIDTH, "label_w": LABEL_W, "bar_h": ROW - 6}


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _cents(value: Any) -> Any:
    # SQLite sums decimals as floats ("122006839.070000"); a CSV cell reads better as cents.
    return value.quantize(Decimal("0.01")) if isinstance(value, Decimal) else value


def table(columns: list[tuple[str, Any]], rows: list[list[Any]]) -> dict[str, Any]:
    """A chart's numbers: (CSV key, visible label) columns, and each cell as its raw value (for the
    CSV) with its text (for the page)."""
    return {
        "columns": [{"key": key, "label": label} for key, label in columns],
        "rows": [[{"value": _cents(v), "text": _text(v)} for v in row] for row in rows],
    }


# A deal of several kinds is stacked once, under the first of its kinds in this order (the
# order of the Kind filter), so that the stacks of a year add up to that year's deals.
KIND_ORDER = list(DealKindCode.values)
NO_KIND = ""
# Okabe–Ito: told apart with the common colour-vision deficiencies.
KIND_COLOURS = dict(zip(KIND_ORDER + [NO_KIND], ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                                                "#F0E442", "#6b6b6b", "#c8c8c8"], strict=True))  # fmt: skip


def kind_label(code: str) -> str:
    return str(DealKindCode(code).label) if code else str(_("no kind given"))


def _first_kind() -> Subquery:
    rank = Case(*[When(dealkind_id=code, then=Value(i)) for i, code in enumerate(KIND_ORDER)],
                default=Value(len(KIND_ORDER)), output_field=IntegerField())  # fmt: skip
    kinds = Deal.kinds.through.objects.filter(deal_id=OuterRef("pk")).annotate(rank=rank)
    return Subquery(kinds.order_by("rank", "dealkind_id").values("dealkind_id")[:1])


STACK_W, STACK_H, STACK_LEFT, STACK_TOP, STACK_BOTTOM = 640, 240, 78, 12, 22


def svg_stacked(cells: dict[tuple[int, str], tuple[int, Decimal]], measure: str) -> dict[str, Any]:
    """Geometry of a column chart stacked by kind: one column a year (the years between the first
    and the last, so that a gap shows), kinds from the bottom in KIND_ORDER."""
    years = sorted({year for year, _kind in cells})
    if years:
        years = list(range(years[0], years[-1] + 1))
    pick = (lambda n, usd: usd or Decimal(0)) if measure == "usd" else (lambda n, usd: n)
    totals = {y: sum(pick(*v) for (year, _k), v in cells.items() if year == y) for y in years}
    top = max(totals.values(), default=0) or 1
    plot_h = STACK_H - STACK_TOP - STACK_BOTTOM
    slot = (STACK_W - STACK_LEFT - 8) / max(len(years), 1)
    bar_w = round(min(slot * 0.72, 56), 1)
    label_every = math.ceil(len(years) / 12) or 1
    fmt = (lambda v: money(v, "USD")) if measure == "usd" else (lambda v: f"{v:,}")
    columns, rows = [], []
    for i, year in enumerate(years):
        x = round(STACK_LEFT + i * slot + (slot - bar_w) / 2, 1)
        base, segments = STACK_TOP + plot_h, []
        for kind in KIND_ORDER + [NO_KIND]:
            n, usd = cells.get((year, kind), (0, None))
            value = pick(n, usd)
            if not value:
                continue
            h = plot_h * float(value) / float(top)
            base -= h
            segments.append({"y": round(base, 1), "h": round(h, 1), "fill": KIND_COLOURS[kind],
                             "title": f"{year} · {kind_label(kind)}: {fmt(value)}"})  # fmt: skip
        n_year = sum(n for (y, _k), (n, _u) in cells.items() if y == year)
        usd_year = sum((u or 0 for (y, _k), (_n, u) in cells.items() if y == year), Decimal(0))
        columns.append({"x": x, "w": bar_w, "mid": round(x + bar_w / 2, 1), "segments": segments,
                        "label": str(year) if i % label_every == 0 else "",
                        "title": f"{year}: {fmt(totals[year])}"})  # fmt: skip
        if n_year:
            rows.append({"label": str(year), "count": n_year, "usd": usd_year})
    ticks = []
    for f in (Decimal(0), Decimal("0.5"), Decimal(1)):
        value = top * f
        if measure == "usd" or value == int(value):  # no "2.5 deals" on the axis
            ticks.append({"y": round(STACK_TOP + plot_h * (1 - float(f)), 1),
                          "label": fmt(value if measure == "usd" else int(value))})  # fmt: skip
    return {"width": STACK_W, "height": STACK_H, "left": STACK_LEFT, "right": STACK_W - 4, "tick_x": STACK_LEFT - 6,
            "base_y": STACK_TOP + plot_h, "label_y": STACK_H - 6, "columns": columns, "ticks": ticks, "rows": rows}  # fmt: skip


MAP_COLOURS = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]  # light to dark: few to many deals
MAP_EMPTY = "#e4e4e4"


def map_classes(top: int) -> list[dict[str, Any]]:
    """Up to five classes of deal counts, 1 to ``top``, each a whole range; the largest count always
    gets the darkest colour."""
    uppers = sorted({max(1, math.ceil(top * k / 5)) for k in range(1, 6)}) if top else []
    classes, low = [], 1
    for i, high in enumerate(uppers):
        colour = MAP_COLOURS[round(i * 4 / (len(uppers) - 1))] if len(uppers) > 1 else MAP_COLOURS[-1]
        classes.append({"low": low, "high": high, "fill": colour,
                        "label": f"{low:,}" if low == high else f"{low:,}–{high:,}"})  # fmt: skip
        low = high + 1
    return classes


def world_map(counts: dict[str, int], names: dict[str, str]) -> dict[str, Any]:
    """The investor map: each country filled by its class of deal count. The outlines are cached per
    process (``worldmap.shapes``); this only picks colours and titles."""
    classes = map_classes(max(counts.values(), default=0))

    def fill(n: int) -> str:
        return next((c["fill"] for c in classes if c["low"] <= n <= c["high"]), MAP_EMPTY)

    # ~180 outlines written by string building: through template loops they cost ~60 ms a page.
    paths, dots = [], []
    for shape in worldmap.shapes():
        n = counts.get(shape.code, 0)
        code, title = escape(shape.code), escape(f"{names.get(shape.code, shape.code)}: {n:,}")
        if shape.d:
            paths.append(f'<path data-country="{code}" data-deals="{n}" fill="{fill(n)}" d="{shape.d}">'
                         f"<title>{title}</title></path>")  # fmt: skip
        elif n:  # a small state without an outline in the dataset: a dot, only where it has deals
            dots.append(f'<circle data-country="{code}" data-deals="{n}" fill="{fill(n)}" cx="{shape.x}" '
                        f'cy="{shape.y}" r="3"><title>{title}</title></circle>')  # fmt: skip
    return {
        "width": worldmap.WIDTH,
        "height": worldmap.HEIGHT,
        "paths": mark_safe("\n".join(paths)),
        "dots": mark_safe("\n".join(dots)),
        "classes": classes,
        "empty": MAP_EMPTY,
    }  # every text is escaped


def chart_data(deals: QuerySet[Deal]) -> dict[str, Any]:
    """Deal count and USD by year and kind, investor countries (map and flows), sectors, programmes
    and the programme funnel; plain data, cached by the view (the map's outlines are added after)."""
    from .filters import country_choices

    ids = deals.order_by().values("id")
    base = Deal.objects.filter(id__in=ids)
    by_year_kind = (
        base.exclude(signed_on=None).annotate(year=ExtractYear("signed_on"), kind=_first_kind())
        .values("year", "kind").annotate(n=Count("id"), usd=Sum("usd_total")).order_by("year", "kind")
    )  # fmt: skip
    cells = {(r["year"], r["kind"] or NO_KIND): (r["n"], r["usd"]) for r in by_year_kind}
    names = dict(country_choices())
    investors = DealParty.objects.filter(deal_id__in=ids, role__in=INVESTOR_ROLES).exclude(company__country="")
    by_country = dict(investors.values_list("company__country").annotate(n=Count("deal_id", distinct=True)).order_by())
    # Investors only: the investee of a deal into Korea is no flow of capital from Korea.
    pairs = (
        investors.exclude(company__country=F("deal__destination_country"))
        .values("company__country", "deal__destination_country")
        .annotate(n=Count("deal_id", distinct=True))
        .order_by("-n", "company__country")[:TOP]
    )
    sectors = (
        Sector.objects.filter(deals__in=ids)
        .annotate(n=Count("deals"), usd=Sum("deals__usd_total"))
        .order_by("-n", "name")[:TOP]
    )
    programmes = (
        GovernmentInvolvement.objects.filter(deal_id__in=ids, programme__isnull=False)
        .values("programme__name")
        .annotate(n=Count("deal_id", distinct=True), usd=Sum("deal__usd_total"))
        .order_by("-n", "programme__name")[:TOP]
    )
    funnel = programme_funnel(
        base.filter(id__in=GovernmentInvolvement.objects.filter(programme__isnull=False).values("deal_id"))
    )

    def country(code: str) -> str:
        return names.get(code, code) if code else str(_("unknown"))

    pair_rows = [(r["company__country"], r["deal__destination_country"], r["n"]) for r in pairs]
    pair_bars = _bars([(f"{country(a)} → {country(b)}", n, None) for a, b, n in pair_rows])
    sector_bars = _bars([(s.label, s.n, s.usd) for s in sectors])
    programme_bars = _bars([(r["programme__name"], r["n"], r["usd"]) for r in programmes])
    total = base.aggregate(n=Count("id"), usd=Sum("usd_total"))
    year_table = table(
        [("year", _("Year")), ("kind", _("Kind")), ("deals", _("Deals")), ("usd", _("USD"))],
        [[str(y), kind_label(k), n, usd or Decimal(0)] for (y, k), (n, usd) in sorted(cells.items())],
    )
    dated = sum(n for n, _usd in cells.values())
    year_note = _("A deal of several kinds counts once, under the first of its kinds in the legend's order.")
    legend = [{"label": kind_label(k), "fill": KIND_COLOURS[k]} for k in KIND_ORDER + [NO_KIND]
              if any(kind == k for _y, kind in cells)]  # fmt: skip
    map_rows = sorted(by_country.items(), key=lambda item: (-item[1], country(item[0])))

    def bars(chart_id, caption, bars_, measure, columns, rows):
        return {"id": chart_id, "type": "bars", "caption": caption, "svg": svg_rows(bars_, measure),
                "table": table(columns, rows)}  # fmt: skip

    charts = [
        {"id": "year-count", "type": "stacked", "caption": _("Deals by year and kind"), "note": year_note,
         "svg": svg_stacked(cells, "count"), "legend": legend, "table": year_table},
        {"id": "year-usd", "type": "stacked", "caption": _("USD committed by year and kind"), "note": year_note,
         "svg": svg_stacked(cells, "usd"), "legend": legend, "table": year_table},
        {"id": "investor-map", "type": "map", "caption": _("Investor countries (deals)"),
         "note": _("Countries of the deals' investors, acquirers, licensors and joint-venture parents."),
         "counts": by_country,
         "table": table([("country_code", _("Code")), ("country", _("Country")), ("deals", _("Deals"))],
                        [[code, country(code), n] for code, n in map_rows])},
        bars("country-pair", _("Investor country → destination (deals)"), pair_bars, "count",
             [("investor_country", _("Investor country")), ("destination_country", _("Destination")),
              ("deals", _("Deals"))],
             [[country(a), country(b), n] for a, b, n in pair_rows]),
        bars("sector", _("Deals by sector"), sector_bars, "count",
             [("sector", _("Sector")), ("deals", _("Deals")), ("usd", _("USD"))],
             [[b.label, b.count, b.usd] for b in sector_bars]),
        bars("programme", _("Deals by programme"), programme_bars, "count",
             [("programme", _("Programme")), ("deals", _("Deals")), ("usd", _("USD"))],
             [[b.label, b.count, b.usd] for b in programme_bars]),
        {"id": "funnel", "type": "funnel", "caption": _("Programme funnel: matched → MOU → signed → completed"),
         "funnel": funnel, "table": funnel["table"]},
    ]  # fmt: skip
    return {"total": total, "undated": (total["n"] or 0) - dated, "charts": charts}


FUNNEL = [Lifecycle.MOU_SIGNED, Lifecycle.AGREEMENT_SIGNED, Lifecycle.COMPLETED]


def programme_funnel(deals: QuerySet[Deal]) -> dict[str, Any]:
    """How far a programme's deals got: matched → MOUs → agreements → completed, with the USD of
    each step.

    A deal at a later stage has passed the earlier ones, so each step counts the deals at that
    stage or beyond; "matched" counts every deal a programme took part in, cancelled ones too,
    which are also shown apart (their last stage before cancelling is not recorded here).
    """
    per_stage = (
        Deal.objects.filter(id__in=deals.order_by().values("id"))  # one row a deal, whatever the joins
        .values_list("lifecycle").annotate(n=Count("id"), usd=Sum("usd_total")).order_by()
    )  # fmt: skip
    counts = {stage: (n, usd or Decimal(0)) for stage, n, usd in per_stage}
    matched = (sum(n for n, _u in counts.values()), sum((u for _n, u in counts.values()), Decimal(0)))
    reached, steps = (0, Decimal(0)), []
    for stage in reversed(FUNNEL):
        n, usd = counts.get(stage, (0, Decimal(0)))
        reached = (reached[0] + n, reached[1] + usd)
        steps.append((Lifecycle(stage).label, *reached))
    steps.append((_("Matched"), *matched))
    steps.reverse()
    top = matched[0] or 1
    top_usd = matched[1] or 1
    cancelled = counts.get(Lifecycle.CANCELLED, (0, Decimal(0)))
    return {
        "steps": [{"label": label, "count": n, "usd": usd, "pct": round(100 * n / top, 1),
                   "usd_pct": round(float(100 * usd / top_usd), 1)} for label, n, usd in steps],
        "cancelled": cancelled[0],
        "announced": counts.get(Lifecycle.ANNOUNCED, (0, 0))[0],
        "usd_committed": matched[1] - cancelled[1],
        "table": table([("step", _("Step")), ("deals", _("Deals")), ("usd", _("USD"))],
                       [[str(label), n, usd] for label, n, usd in steps]),
    }  # fmt: skip
