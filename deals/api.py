"""Read-only JSON API for analysts (Django REST framework, OpenAPI schema by drf-spectacular).

One definition per concern:
- **Deal fields** are the CSV export's columns (`deals/export.py`, `COLUMNS`), read by the
  same single SELECT. Multi-valued cells are lists.
- **Filters** are the public listing's FilterSet.
- **Scope** is approved deals only, from the same selector as the pages.

Pagination is by cursor (`-id`): stable while deals are added, and no count of the whole table.
Anonymous clients are throttled (`API_ANON_RATE`, through the shared cache).
"""

from django.db.models import Prefetch
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, pagination, serializers
from rest_framework.throttling import AnonRateThrottle

from .export import COLUMNS, MULTI_VALUED, SEPARATOR, export_dicts
from .filters import DealFilterSet
from .models import CompanyAlias, Deal, Programme, ReviewStatus
from .selectors import company_public_deals, programme_public_deals, public_deals

PROGRAMME_DEALS_SHOWN = 50

_TYPES = {"id": serializers.IntegerField, "signed_on": serializers.DateField}


class _Joined(serializers.ListField):
    """A "; "-joined cell as a list of strings."""

    child = serializers.CharField()

    def to_representation(self, data):
        return [v for v in (data or "").split(SEPARATOR) if v]


def _field(header: str, description: str) -> serializers.Field:
    if header in MULTI_VALUED:
        return _Joined(source=f"col_{header}", help_text=description, read_only=True)
    kind = _TYPES.get(header, serializers.CharField)
    return kind(source=f"col_{header}", help_text=description, read_only=True, allow_null=True)


DealSerializer = type(
    "DealSerializer",
    (serializers.Serializer,),
    {header: _field(header, description) for header, description, _ in COLUMNS},
)


class DealCursor(pagination.CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ApiView:
    authentication_classes: list = []  # public and read-only: no sessions, no CSRF
    permission_classes: list = []
    throttle_classes = [AnonRateThrottle]


class DealList(ApiView, generics.ListAPIView):
    """Approved deals, newest first, with the listing's filters (`?investor_country=DE&kind=mou`)."""

    serializer_class = DealSerializer
    pagination_class = DealCursor
    filter_backends = [DjangoFilterBackend]
    filterset_class = DealFilterSet

    def get_queryset(self):
        return public_deals()

    def paginate_queryset(self, queryset):
        # The FilterSet runs on the deals; the page is read as export rows (one SELECT).
        page = super().paginate_queryset(queryset)
        rows = {r["col_id"]: r for r in export_dicts(Deal.objects.filter(pk__in=[d.pk for d in page]))}
        return [rows[d.pk] for d in page]

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).prefetch_related(None).select_related(None).only("id")


class DealDetail(ApiView, generics.RetrieveAPIView):
    """One approved deal: the same fields as a row of the list and of the CSV."""

    serializer_class = DealSerializer

    def get_object(self):
        from django.shortcuts import get_object_or_404

        qs = export_dicts(Deal.objects.filter(review_status=ReviewStatus.APPROVED, pk=self.kwargs["pk"]))
        return get_object_or_404(qs)


class DealRef(serializers.ModelSerializer):
    class Meta:
        model = Deal
        fields = ["id", "title", "lifecycle", "signed_on", "usd_total"]


class CompanySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    country = serializers.CharField()
    names = serializers.SerializerMethodField(help_text="Every accepted name form, in every script")
    deals = serializers.SerializerMethodField(help_text="The company's approved deals")

    def get_names(self, obj) -> list[str]:
        return sorted(a.name for a in obj.accepted_aliases)

    @extend_schema_field(DealRef(many=True))
    def get_deals(self, obj) -> list[dict]:
        return DealRef(obj.public_deals, many=True).data


class CompanyDetail(ApiView, generics.RetrieveAPIView):
    """A company with its names and its approved deals (404 for one that only drafts name)."""

    serializer_class = CompanySerializer

    def get_object(self):
        from django.http import Http404

        company = super().get_object()
        # The page's selector: a party or the joint venture a deal creates, one row a deal.
        company.public_deals = list(company_public_deals(company.pk).only(*DealRef.Meta.fields))
        if not company.public_deals:
            raise Http404("No approved deal names this company.")  # its name may come from a draft only
        return company

    def get_queryset(self):
        from .models import Company

        return Company.objects.prefetch_related(
            Prefetch("aliases", queryset=CompanyAlias.objects.filter(accepted=True), to_attr="accepted_aliases"),
        )


class ProgrammeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    body = serializers.CharField(source="body.name", allow_null=True)
    deal_count = serializers.IntegerField(help_text="How many approved deals the programme took part in")
    deals = serializers.SerializerMethodField(
        help_text=f"The newest {PROGRAMME_DEALS_SHOWN} of them; all of them, paged: `deals_url`"
    )
    deals_url = serializers.SerializerMethodField(help_text="The deal list filtered by this programme")

    @extend_schema_field(DealRef(many=True))
    def get_deals(self, obj) -> list[dict]:
        return DealRef(obj.public_deals, many=True).data

    def get_deals_url(self, obj) -> str:
        return f"{reverse('api-deals')}?programme={obj.pk}"


class ProgrammeDetail(ApiView, generics.RetrieveAPIView):
    """A government programme and the approved deals it took part in (404 when it has none)."""

    serializer_class = ProgrammeSerializer

    def get_object(self):
        from django.http import Http404

        programme = super().get_object()
        # Bounded: a programme's deals grow with the table (3,000 at a million deals)
        deals = programme_public_deals(programme.pk)
        programme.public_deals = list(deals.only(*DealRef.Meta.fields)[:PROGRAMME_DEALS_SHOWN])
        if not programme.public_deals:
            raise Http404("No approved deal names this programme.")
        shown = len(programme.public_deals)
        programme.deal_count = shown if shown < PROGRAMME_DEALS_SHOWN else deals.count()
        return programme

    def get_queryset(self):
        return Programme.objects.select_related("body")
