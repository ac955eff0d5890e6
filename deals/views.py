"""Public pages: approved deals only. Drafts, rejected and duplicate deals answer 404 here."""

import csv
import hashlib
import threading
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from . import charts, selectors
from .display import korean_names
from .export import copy_blocks, csv_rows, export_queryset, neutralize
from .facets import NAMED, facet_choices, facet_counts
from .filters import SORTS, DealFilterSet, country_choices, form_html
from .models import Company, CompanyAlias, Deal, DealParty, Evidence, Lifecycle, Programme, ReviewStatus
from .names import SCRIPTS, script_of
from .pagination import EstimatedCountPaginator
from .rows import fetch_rows, rows_html
from .selectors import public_deals, public_version

PER_PAGE_DEFAULT = 25
PER_PAGE_MAX = 100


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return redirect("deal-list")


def _without_empty(request: HttpRequest) -> HttpResponse | None:
    """A filter form sends every field, most of them empty (``?q=&kind=&…``): answer with a
    redirect to the same search without them, so the address bar, bookmarks and shared links
    hold only the filters chosen."""
    pairs = [(k, v) for k, values in request.GET.lists() for v in values]
    kept = [(k, v) for k, v in pairs if v != ""]
    if len(kept) == len(pairs):
        return None
    query = QueryDict(mutable=True)
    for k, v in kept:
        query.appendlist(k, v)
    return redirect(f"{request.path}?{query.urlencode()}" if kept else request.path)


@require_safe
def deal_list(request: HttpRequest) -> HttpResponse:
    if (cleaned := _without_empty(request)) is not None:
        return cleaned
    filterset = DealFilterSet(request.GET, queryset=public_deals())
    if not filterset.is_valid():
        context = {"filter": filterset, "filter_form": form_html(filterset.form), "page": None}
        return render(request, "deals/deal_list.html", context, status=400)
    qs = filterset.qs
    if not request.GET.get("sort"):
        qs = qs.order_by(*SORTS["-date"])
    if request.GET.get("export") == "csv":
        slot = _export_slot(request)
        if slot is None:
            return HttpResponse(
                "An export of yours is still running; try again when it has finished.\n",
                status=429, content_type="text/plain; charset=utf-8", headers={"Retry-After": "30"},
            )  # fmt: skip
        bom = request.GET.get("bom") == "1"
        if connection.vendor == "postgresql":
            body = copy_blocks(qs, connection, bom=bom)
        else:  # the embedded default: the same cells, written by Python
            body = csv_rows(export_queryset(qs).iterator(chunk_size=2000), bom=bom)
        response = StreamingHttpResponse(_Released(body, slot), content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="deals-{stamp}.csv"'
        return response
    try:
        per_page = min(max(int(request.GET.get("per_page", PER_PAGE_DEFAULT)), 1), PER_PAGE_MAX)
    except ValueError:
        per_page = PER_PAGE_DEFAULT
    _show_facets(request, filterset)
    paginator = EstimatedCountPaginator(qs, per_page, fetch=fetch_rows)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "filter_form": form_html(filterset.form), "page": page,
               "rows": rows_html(page.object_list), "query": query.urlencode(), "chips": _chips(request, filterset)}  # fmt: skip
    return render(request, "deals/deal_list.html", context)


def _show_facets(request: HttpRequest, filterset: DealFilterSet) -> None:
    """Each dropdown lists the values that occur, with their counts (deals.facets)."""
    for name, facet in facet_counts(request.GET, DealFilterSet, public_deals()).items():
        widget = filterset.form.fields[name].widget
        widget.facet = facet
        if name in NAMED:
            widget.choices = facet_choices(name, facet)


def _chips(request: HttpRequest, filterset: DealFilterSet) -> list[dict[str, str]]:
    """The active filters as removable chips: each links to the same search without it."""
    chips = []
    for name, value in request.GET.items():
        if not value or name not in filterset.filters or name == "sort":
            continue
        field = filterset.form[name]
        cleaned = filterset.form.cleaned_data.get(name)
        raw = filterset.filters[name].extra.get("choices")
        raw = raw() if callable(raw) else raw
        choices = {str(k): v for k, v in raw} if raw and name not in ("sector", "programme", "body") else {}
        shown = str(choices.get(value, cleaned if cleaned not in (None, "") else value))
        rest = request.GET.copy()
        rest.pop(name)
        rest.pop("page", None)
        chips.append({"label": str(field.label), "value": shown, "url": f"?{rest.urlencode()}"})
    return chips


@require_safe
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_object_or_404(public_deals(), pk=pk)
    # Only what a reviewer accepted: a later article about this deal waits in the review desk.
    sources = (
        deal.sources.filter(accepted=True)
        .select_related("article", "article__source")
        .defer("article__raw", "article__text", "article__extraction")
        .order_by("article__published_on")
    )
    evidence = selectors.evidence_current(
        deal,
        Evidence.objects.filter(deal=deal, accepted=True).select_related("article").order_by("article_id", "start"),
    )
    # The timeline: only stages a reviewer accepted (a proposed one waits in the review desk).
    stages = deal.stages.filter(accepted=True).order_by("on", "id")
    government = list(deal.government.all())  # prefetched with their bodies by public_deals()
    body_ko, place_ko = korean_names(bodies=[g.body for g in government], place=deal.place)
    for g in government:
        g.body_ko = body_ko.get(g.body_id, "")
    return render(request, "deals/deal_detail.html",
                  {"deal": deal, "sources": sources, "evidence": evidence, "stages": stages, "government": government,
                   "place_ko": place_ko})  # fmt: skip


@require_safe
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    accepted_aliases = Prefetch("aliases", queryset=CompanyAlias.objects.filter(accepted=True))
    company = get_object_or_404(Company.objects.prefetch_related(accepted_aliases), pk=pk)
    deals = list(
        selectors.company_public_deals(company.pk).prefetch_related(
            Prefetch("parties", queryset=DealParty.objects.filter(company=company)), "kinds"
        )
    )
    if not deals:
        raise Http404("No approved deal names this company.")  # its name may come from a draft only
    names: dict[str, list[str]] = {}
    for name in dict.fromkeys([company.name, *(a.name for a in company.aliases.all())]):
        names.setdefault(script_of(name), []).append(name)
    scripts = [{"label": SCRIPT_LABELS.get(s, s), "names": names[s]}
               for s in sorted(names, key=lambda s: SCRIPTS.index(s) if s in SCRIPTS else len(SCRIPTS))]  # fmt: skip
    return render(request, "deals/company_detail.html", {"company": company, "deals": deals, "scripts": scripts})


SCRIPT_LABELS = {"Latin": _("Latin letters"), "Hangul": _("Hangul"), "Han": _("Chinese characters"),
                 "Kana": _("Japanese"), "Cyrillic": _("Cyrillic"), "Other": _("Other scripts")}  # fmt: skip


PROGRAMME_DEALS_SHOWN = 50


@require_safe
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(Programme.objects.select_related("body"), pk=pk)
    # The newest deals only, each with its title, date, stage and USD (no parties, amounts or kinds to
    # fetch): a programme's deals grow with the table (3,000 at a million deals, 0.6 s of template
    # work); the funnel counts them all and the listing pages through them.
    public = selectors.programme_public_deals(programme.pk)
    deals = list(public.only("id", "title", "signed_on", "lifecycle", "usd_total")[:PROGRAMME_DEALS_SHOWN])
    if not deals:
        raise Http404("No approved deal names this programme.")
    stages = dict(Lifecycle.choices)  # get_lifecycle_display() hashes the choices on every call
    for deal in deals:
        deal.lifecycle_label = stages.get(deal.lifecycle, deal.lifecycle)
    funnel = charts.programme_funnel(public)
    context = {"programme": programme, "deals": deals, "funnel": funnel, "total": funnel["steps"][0]["count"]}
    return render(request, "deals/programme_detail.html", context)


def _stats_data(request: HttpRequest) -> tuple[DealFilterSet, dict | None, str]:
    """The charts' data for the listing's filters (same URL parameters), cached per filter and
    language until the next review decision (an unfiltered /stats/ took 4.5 s); None when a filter
    is malformed. With the cache key."""
    filterset = DealFilterSet(request.GET, queryset=Deal.objects.filter(review_status=ReviewStatus.APPROVED))
    if not filterset.is_valid():
        return filterset, None, ""
    params = [(k, v) for k, values in sorted(request.GET.lists()) if k in filterset.filters for v in sorted(values)]
    canonical = "&".join(f"{k}={v}" for k, v in params)
    key = f"deals:stats:{public_version()}:{get_language()}:{hashlib.sha256(canonical.encode()).hexdigest()}"
    data = cache.get(key)
    if data is None:
        data = charts.chart_data(filterset.qs)
        cache.set(key, data, settings.STATS_CACHE_SECONDS)
    return filterset, data, key


# The charts as HTML, per cache key, in this process: eight charts with their tables and a map
# of ~180 outlines took ~50 ms of template work on every view. A key names its data's version,
# so an entry is never stale, only unused; at most this many are kept (~100 kB each).
_CHARTS_HTML: OrderedDict[str, str] = OrderedDict()
CHARTS_HTML_KEPT = 32
_CHARTS_LOCK = threading.Lock()


@require_safe
def stats(request: HttpRequest) -> HttpResponse:
    """Charts of the approved deals the listing's filters select, each with its table and CSV."""
    if (cleaned := _without_empty(request)) is not None:
        return cleaned
    filterset, data, key = _stats_data(request)
    if data is None:
        context = {"filter": filterset, "filter_form": form_html(filterset.form, skip=("sort",)), "data": None}
        return render(request, "deals/stats.html", context, status=400)
    query = request.GET.copy()
    query.pop("chart", None)
    with _CHARTS_LOCK:  # gunicorn's threads share the dict
        html = _CHARTS_HTML.get(key)
        if html is not None:
            _CHARTS_HTML.move_to_end(key)
    if html is None:
        names = dict(country_choices())
        for chart in data["charts"]:
            if chart["type"] == "map":
                # Drawn after the shared cache: the outlines are in memory already, and ~60 kB a
                # filter and language would crowd the shared Redis.
                chart["map"] = charts.world_map(chart["counts"], names)
        html = render_to_string("deals/_charts.html", {"data": data, "query": query.urlencode()}, request)
        with _CHARTS_LOCK:
            _CHARTS_HTML[key] = html
            while len(_CHARTS_HTML) > CHARTS_HTML_KEPT:
                _CHARTS_HTML.popitem(last=False)
    _show_facets(request, filterset)
    context = {"filter": filterset, "filter_form": form_html(filterset.form, skip=("sort",)), "data": data,
               "query": query.urlencode(), "charts_html": mark_safe(html)}  # fmt: skip
    return render(request, "deals/stats.html", context)


@require_safe
def stats_chart_csv(request: HttpRequest) -> HttpResponse:
    """One chart's rows as CSV (``?chart=<id>&<listing filters>``): the table beside the chart."""
    filterset, data, _ = _stats_data(request)
    if data is None:
        return HttpResponse("Malformed filter.\n", status=400, content_type="text/plain; charset=utf-8")
    chart = next((c for c in data["charts"] if c["id"] == request.GET.get("chart")), None)
    if chart is None:
        raise Http404("No such chart.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response)
    writer.writerow([c["key"] for c in chart["table"]["columns"]])
    for row in chart["table"]["rows"]:
        writer.writerow([neutralize(cell["value"]) for cell in row])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="stats-{chart["id"]}-{stamp}.csv"'
    return response


def _shared_cache_up() -> bool:
    return getattr(cache, "available", lambda: True)()


# Slots held in this process while the shared cache is down: the bound then holds per process
# (a client gets EXPORTS_PER_CLIENT exports per web process) instead of not at all.
_LOCAL_SLOTS: dict[str, int] = {}
_LOCAL_SLOTS_LOCK = threading.Lock()


def _export_slot(request: HttpRequest) -> tuple[str, str] | None:
    """Take one of the client's concurrent export slots, or None when all are in use: two large
    exports at once starved the workers that serve everyone else. ("shared" or "local", key)."""
    key = f"deals:exports:{request.META.get('REMOTE_ADDR', '')}"
    if _shared_cache_up():
        cache.add(key, 0, settings.EXPORT_SLOT_SECONDS)
        try:
            taken = cache.incr(key)
        except ValueError:  # the counter expired between add and incr
            cache.set(key, 1, settings.EXPORT_SLOT_SECONDS)
            taken = 1
        if _shared_cache_up():  # else the counting above failed: count here instead
            if taken > settings.EXPORTS_PER_CLIENT:
                cache.decr(key)
                return None
            return "shared", key
    with _LOCAL_SLOTS_LOCK:
        if _LOCAL_SLOTS.get(key, 0) >= settings.EXPORTS_PER_CLIENT:
            return None
        _LOCAL_SLOTS[key] = _LOCAL_SLOTS.get(key, 0) + 1
    return "local", key


class _Released:
    """The export's rows; the slot is given back once, when the stream ends or the server closes
    the response (a client that went away, even before the first row)."""

    def __init__(self, rows, slot: tuple[str, str]):
        self.rows, self.slot, self.done = rows, slot, False

    def __iter__(self):
        try:
            yield from self.rows
        finally:
            self.close()

    def close(self) -> None:
        if self.done:
            return
        self.done = True
        where, key = self.slot
        if where == "local":
            with _LOCAL_SLOTS_LOCK:
                left = _LOCAL_SLOTS.pop(key, 1) - 1
                if left > 0:
                    _LOCAL_SLOTS[key] = left
            return
        try:
            cache.decr(key)
        except ValueError:  # the slot expired meanwhile
            pass
