"""Public pages: approved deals only. Drafts, rejected and duplicate deals answer 404 here."""

from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from . import charts
from .export import csv_rows, export_queryset
from .filters import SORTS, DealFilterSet
from .models import Company, CompanyAlias, Deal, Evidence, Programme, ReviewStatus
from .pagination import EstimatedCountPaginator
from .selectors import public_deals

PER_PAGE_DEFAULT = 25
PER_PAGE_MAX = 100


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return redirect("deal-list")


@require_safe
def deal_list(request: HttpRequest) -> HttpResponse:
    filterset = DealFilterSet(request.GET, queryset=public_deals())
    if not filterset.is_valid():
        return render(request, "deals/deal_list.html", {"filter": filterset, "page": None}, status=400)
    qs = filterset.qs
    if not request.GET.get("sort"):
        qs = qs.order_by(*SORTS["-date"])
    if request.GET.get("export") == "csv":
        rows = export_queryset(qs).iterator(chunk_size=2000)
        response = StreamingHttpResponse(csv_rows(rows, bom=request.GET.get("bom") == "1"),
                                         content_type="text/csv; charset=utf-8")  # fmt: skip
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="deals-{stamp}.csv"'
        return response
    try:
        per_page = min(max(int(request.GET.get("per_page", PER_PAGE_DEFAULT)), 1), PER_PAGE_MAX)
    except ValueError:
        per_page = PER_PAGE_DEFAULT
    paginator = EstimatedCountPaginator(qs, per_page, fetch=lambda ids: public_deals().filter(pk__in=ids))
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "deals/deal_list.html", {"filter": filterset, "page": page, "query": query.urlencode()})


@require_safe
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_object_or_404(public_deals(), pk=pk)
    # Only what a reviewer accepted: a later article about this deal waits in the review desk.
    sources = deal.sources.filter(accepted=True).select_related("article").order_by("article__published_on")
    evidence = (
        Evidence.objects.filter(deal=deal, accepted=True).select_related("article").order_by("article_id", "start")
    )
    return render(request, "deals/deal_detail.html", {"deal": deal, "sources": sources, "evidence": evidence})


@require_safe
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    accepted_aliases = Prefetch("aliases", queryset=CompanyAlias.objects.filter(accepted=True))
    company = get_object_or_404(Company.objects.prefetch_related(accepted_aliases), pk=pk)
    deals = public_deals().filter(Q(parties__company=company) | Q(joint_venture__company=company)).distinct()
    if not deals.exists():
        raise Http404("No approved deal names this company.")  # its name may come from a draft only
    return render(request, "deals/company_detail.html", {"company": company, "deals": deals})


@require_safe
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(Programme.objects.select_related("body"), pk=pk)
    deals = public_deals().filter(government__programme=programme).distinct()
    if not deals.exists():
        raise Http404("No approved deal names this programme.")
    context = {"programme": programme, "deals": deals, "funnel": charts.programme_funnel(
        Deal.objects.filter(review_status=ReviewStatus.APPROVED, government__programme=programme).distinct()
    )}  # fmt: skip
    return render(request, "deals/programme_detail.html", context)


@require_safe
def stats(request: HttpRequest) -> HttpResponse:
    """Charts of the approved deals the listing's filters select (same URL parameters)."""
    filterset = DealFilterSet(request.GET, queryset=Deal.objects.filter(review_status=ReviewStatus.APPROVED))
    if not filterset.is_valid():
        return render(request, "deals/stats.html", {"filter": filterset, "data": None}, status=400)
    query = request.GET.urlencode()
    return render(request, "deals/stats.html", {"filter": filterset, "data": charts.chart_data(filterset.qs),
                                                "query": query})  # fmt: skip
