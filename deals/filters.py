"""The public deal FilterSet: every filter lives in the URL so that a view can be shared."""

import django_filters
from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import (
    Deal,
    DealKindCode,
    GovernmentBody,
    GovernmentInvolvement,
    Lifecycle,
    Programme,
    ReviewStatus,
    Sector,
)

SORTS = {
    "-date": ("-signed_on", "-id"),
    "date": ("signed_on", "id"),
    "-usd": ("-usd_total", "-id"),
    "usd": ("usd_total", "id"),
    "title": ("title", "id"),
}


def _public_government() -> QuerySet[GovernmentInvolvement]:
    return GovernmentInvolvement.objects.filter(deal__review_status=ReviewStatus.APPROVED)


def _bodies(request=None) -> QuerySet[GovernmentBody]:
    # Only bodies named in approved deals: a body read from a draft must not leak through a dropdown.
    return GovernmentBody.objects.filter(id__in=_public_government().values("body_id")).order_by("name")


def _programmes(request=None) -> QuerySet[Programme]:
    return Programme.objects.filter(id__in=_public_government().values("programme_id")).order_by("name")


def _sectors(request=None) -> QuerySet[Sector]:
    return Sector.objects.filter(deals__review_status=ReviewStatus.APPROVED).distinct().order_by("name")


class DealFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=DealKindCode.choices, field_name="kinds__code")
    lifecycle = django_filters.ChoiceFilter(label=_("Status"), choices=Lifecycle.choices)
    investor_country = django_filters.ChoiceFilter(
        label=_("Investor country"), choices=countries, field_name="parties__company__country", distinct=True
    )
    destination_country = django_filters.ChoiceFilter(label=_("Destination"), choices=countries)
    sector = django_filters.ModelChoiceFilter(label=_("Sector"), queryset=_sectors, field_name="sectors")
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"), queryset=_programmes, field_name="government__programme", distinct=True
    )
    body = django_filters.ModelChoiceFilter(
        label=_("Government body"), queryset=_bodies, field_name="government__body", distinct=True
    )
    usd_min = django_filters.NumberFilter(label=_("USD from"), field_name="usd_total", lookup_expr="gte")
    usd_max = django_filters.NumberFilter(label=_("USD to"), field_name="usd_total", lookup_expr="lte")
    date_from = django_filters.DateFilter(label=_("Signed from"), field_name="signed_on", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("Signed to"), field_name="signed_on", lookup_expr="lte")
    language = django_filters.ChoiceFilter(
        label=_("Source language"), choices=[(c, c) for c in ("ko", "en", "ja", "zh", "ru", "de")]
    )
    sort = django_filters.ChoiceFilter(label=_("Sort"), choices=[(k, k) for k in SORTS], method="sort_by")

    class Meta:
        model = Deal
        fields: list[str] = []

    def search(self, queryset: QuerySet[Deal], name: str, value: str) -> QuerySet[Deal]:
        value = value.strip()[:200]
        if not value:
            return queryset
        if settings.IS_POSTGRES:
            # The 'simple' configuration keeps Korean words whole (no English stemming).
            vector = SearchVector("title", "summary", config="simple")
            return queryset.filter(
                Q(id__in=Deal.objects.annotate(v=vector).filter(v=SearchQuery(value, config="simple")).values("id"))
                | Q(title__icontains=value)
                | Q(parties__company__aliases__name__icontains=value)
            ).distinct()
        return queryset.filter(
            Q(title__icontains=value)
            | Q(summary__icontains=value)
            | Q(parties__company__aliases__name__icontains=value)
        ).distinct()

    def sort_by(self, queryset: QuerySet[Deal], name: str, value: str) -> QuerySet[Deal]:
        return queryset.order_by(*SORTS.get(value, SORTS["-date"]))
