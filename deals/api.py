"""Read-only JSON API for analysts (Django REST framework, OpenAPI schema by drf-spectacular).

One definition per concern:
- **Deal fields** are the CSV export's columns (`deals/export.py`, `COLUMNS`), read by the
  same single SELECT. Multi-valued cells are lists.
- **Filters** are the public listing's FilterSet.
- **Scope** is approved deals only, from the same selector as the pages.

Pagination is by cursor (`-id`): stable while deals are added, and no count of the whole table.
Anonymous clients are throttled (`API_ANON_RATE`, through the shared cache).
"""

import re

from django.db.models import Prefetch
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, pagination, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.throttling import AnonRateThrottle

from .export import COLUMNS, MULTI_VALUED, SEPARATOR, export_dicts
from .filters import DealFilterSet
from .models import (
    CompanyAlias,
    DatePrecision,
    Deal,
    Lifecycle,
    Programme,
    ReviewStatus,
)
from .selectors import company_public_deals, programme_public_deals, public_deals

PROGRAMME_DEALS_SHOWN = 50

_TYPES = {"id": serializers.IntegerField, "signed_on": serializers.DateField}
# The only single-valued columns that may be empty (null); the others always hold a value.
_NULLABLE = {"signed_on", "joint_venture"}
_CHOICES = {"lifecycle": Lifecycle.choices, "date_precision": DatePrecision.choices}


class _Joined(serializers.ListField):
    """A "; "-joined cell as a list of strings; an empty cell is an empty list, never null (the
    schema says array, and a deal without sectors or sources answered ``null``: issue 26)."""

    child = serializers.CharField()

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        return "" if value is None else value

    def to_representation(self, data):
        return [v for v in (data or "").split(SEPARATOR) if v]


def _field(header: str, description: str) -> serializers.Field:
    source = f"col_{header}"
    if header in MULTI_VALUED:
        return _Joined(source=source, help_text=description, read_only=True)
    if header in _CHOICES:
        return serializers.ChoiceField(_CHOICES[header], source=source, help_text=description, read_only=True)
    kind = _TYPES.get(header, serializers.CharField)
    return kind(source=source, help_text=description, read_only=True, allow_null=header in _NULLABLE)


DealSerializer = type(
    "DealSerializer",
    (serializers.Serializer,),
    {header: _field(header, description) for header, description, _ in COLUMNS},
)


INVALID_CURSOR = "Invalid cursor: use the `next` or `previous` link of a page as it is."
_POSITION = re.compile(r"[0-9]{1,18}")  # a deal id, within PostgreSQL's bigint


class DealCursor(pagination.CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = INVALID_CURSOR

    def decode_cursor(self, request):
        """DRF's cursor, and its position checked to be a deal id: a cursor re-encoded with
        ``p=abc``, ``p=NaN`` or a NUL reached the query and answered 500 (issue 26). Any malformed
        cursor is a 400 with the same message."""
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError({"cursor": [INVALID_CURSOR]}) from None
        if cursor is not None and cursor.position is not None and not _POSITION.fullmatch(cursor.position):
            raise ValidationError({"cursor": [INVALID_CURSOR]})
        return cursor


_DETAIL = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})
NOT_FOUND = OpenApiResponse(_DETAIL, description="No approved deal, company or programme with this id.")
THROTTLED = OpenApiResponse(_DETAIL, description="Too many requests from this address (`API_ANON_RATE`); retry later.")
INVALID = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="A malformed filter or cursor: each offending parameter with its messages, "
    '(`{"cursor": ["Invalid cursor: ..."]}`), or `{"detail": ...}` for an address with a NUL.',
)
# The listing's id filters take a numeric id (django-filter's ModelChoiceFilter says "string").
ID_FILTERS = [
    OpenApiParameter(name, OpenApiTypes.INT, description=f"{label} id")
    for name, label in (("sector", "Sector"), ("programme", "Programme"), ("body", "Government body"))
]


class ApiView:
    authentication_classes: list = []  # public and read-only: no sessions, no CSRF
    permission_classes: list = []
    throttle_classes = [AnonRateThrottle]


def not_found() -> Exception:
    """The one 404 of the detail endpoints: an id that only drafts use answers exactly as an id
    that does not exist, so probing ids tells nothing about what waits for review."""
    from rest_framework.exceptions import NotFound

    return NotFound()


@extend_schema(parameters=ID_FILTERS, responses={200: DealSerializer(many=True), 400: INVALID, 429: THROTTLED})
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


@extend_schema(responses={200: DealSerializer, 404: NOT_FOUND, 429: THROTTLED})
class DealDetail(ApiView, generics.RetrieveAPIView):
    """One approved deal: the same fields as a row of the list and of the CSV."""

    serializer_class = DealSerializer

    def get_object(self):
        row = export_dicts(Deal.objects.filter(review_status=ReviewStatus.APPROVED, pk=self.kwargs["pk"])).first()
        if row is None:
            raise not_found()
        return row


class DealRef(serializers.ModelSerializer):
    class Meta:
        model = Deal
        fields = ["id", "title", "lifecycle", "signed_on", "usd_total"]


class CompanySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    country = serializers.CharField()
    lei = serializers.CharField(source="lei_id", allow_null=True, help_text="Legal Entity Identifier (GLEIF), "
                                "where a reviewer linked one")  # fmt: skip
    names = serializers.SerializerMethodField(help_text="Every accepted name form, in every script")
    deals = serializers.SerializerMethodField(help_text="The company's approved deals")

    def get_names(self, obj) -> list[str]:
        return sorted(a.name for a in obj.accepted_aliases)

    @extend_schema_field(DealRef(many=True))
    def get_deals(self, obj) -> list[dict]:
        return DealRef(obj.public_deals, many=True).data


@extend_schema(responses={200: CompanySerializer, 404: NOT_FOUND, 429: THROTTLED})
class CompanyDetail(ApiView, generics.RetrieveAPIView):
    """A company with its names and its approved deals (404 for one that only drafts name)."""

    serializer_class = CompanySerializer

    def get_object(self):
        company = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if company is None:
            raise not_found()
        # The page's selector: a party or the joint venture a deal creates, one row a deal.
        company.public_deals = list(company_public_deals(company.pk).only(*DealRef.Meta.fields))
        if not company.public_deals:
            raise not_found()  # its name may come from a draft only: answered as an unknown id
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


@extend_schema(responses={200: ProgrammeSerializer, 404: NOT_FOUND, 429: THROTTLED})
class ProgrammeDetail(ApiView, generics.RetrieveAPIView):
    """A government programme and the approved deals it took part in (404 when it has none)."""

    serializer_class = ProgrammeSerializer

    def get_object(self):
        programme = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if programme is None:
            raise not_found()
        # Bounded: a programme's deals grow with the table (3,000 at a million deals)
        deals = programme_public_deals(programme.pk)
        programme.public_deals = list(deals.only(*DealRef.Meta.fields)[:PROGRAMME_DEALS_SHOWN])
        if not programme.public_deals:
            raise not_found()
        shown = len(programme.public_deals)
        programme.deal_count = shown if shown < PROGRAMME_DEALS_SHOWN else deals.count()
        return programme

    def get_queryset(self):
        return Programme.objects.select_related("body")
