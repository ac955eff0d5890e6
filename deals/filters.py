"""The public deal FilterSet: every filter lives in the URL so that a view can be shared.

Filters on related rows (parties, kinds, sectors, government) are written as ``id IN (subquery)``
rather than joins: a join multiplies deal rows and needs ``DISTINCT`` over the whole result, while
a semi-join lets PostgreSQL walk the (status, date) index and stop after one page (measured in
docs/benchmarks.md).
"""

from html import escape  # the stdlib one: Django's adds lazy-string handling we do not need here

import django_filters
from django import forms
from django.db.models import F, IntegerField, QuerySet
from django.db.models.expressions import Expression, RawSQL
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import (
    INVESTOR_ROLES,
    SOURCE_LANGUAGES,
    Deal,
    DealKindCode,
    DealParty,
    GovernmentBody,
    GovernmentInvolvement,
    Lifecycle,
    Programme,
    Sector,
)
from .selectors import deal_search, ids_parameter, public_choice_ids

# Deals without a date or an amount go last whichever way the list is sorted; each order has an
# index of the same shape (Deal.Meta.indexes), or PostgreSQL sorts every match to find one page.
SORTS = {
    "-date": (F("signed_on").desc(nulls_last=True), F("id").desc()),
    "date": (F("signed_on").asc(nulls_last=True), F("id").asc()),
    "-usd": (F("usd_total").desc(nulls_last=True), F("id").desc()),
    "usd": (F("usd_total").asc(nulls_last=True), F("id").asc()),
    "title": ("title", "id"),
}


SORT_LABELS = {"-date": _("Newest first"), "date": _("Oldest first"), "-usd": _("Largest USD first"),
               "usd": _("Smallest USD first"), "title": _("Title")}  # fmt: skip
LANGUAGE_NAMES = {"ko": _("Korean"), "en": _("English"), "ja": _("Japanese"), "zh": _("Chinese"), "ru": _("Russian"),
                  "de": _("German")}  # fmt: skip


class FastSelect(forms.Select):
    """A <select> rendered by string building: Django's per-option templates took ~140 ms for the
    two 250-country lists on every listing page."""

    facet = None  # the listing sets its counts (deals.facets.Facet): values that occur, with counts

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        value = "" if value is None else str(value)
        attr_html = "".join(f' {k}="{escape(str(v))}"' for k, v in attrs.items() if v is not None and v is not False)
        parts = [f"<select{attr_html}>"]
        counts, mark = (self.facet.counts, "≈" if self.facet.estimated else "") if self.facet else (None, "")
        for key, label in self.choices:
            key = "" if key is None else str(key)
            selected = " selected" if key == value else ""
            label = str(label)
            if counts is not None and key:
                if key not in counts and not selected:
                    continue  # no approved deal has it under the other filters
                label = f"{label} ({mark}{counts.get(key, 0):,})"
            parts.append(f'<option value="{escape(key)}"{selected}>{escape(label)}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))  # every value above is escaped


def form_html(form: forms.Form, *, skip: tuple[str, ...] = ()) -> str:
    """Every field as ``<div><label>…</label><widget>errors</div>``, the markup of
    ``{{ field.label_tag }}{{ field }}{{ field.errors }}``, built as a string: Django renders each label
    and input through a template, a third of the listing's Python time (docs/benchmarks.md)."""
    parts = []
    for bf in form:
        if bf.name in skip:
            continue
        widget = bf.field.widget
        id_ = widget.attrs.get("id") or bf.auto_id
        label = str(bf.label)
        suffix = form.label_suffix if label and label[-1] not in ":?.!" else ""
        for_attr = f' for="{escape(widget.id_for_label(id_))}"' if id_ else ""
        parts.append(f"<div><label{for_attr}>{escape(label)}{escape(suffix)}</label>")
        attrs = bf.build_widget_attrs({}, widget)  # aria-invalid and friends first, then the id, as Django
        if bf.auto_id and "id" not in widget.attrs:
            attrs.setdefault("id", bf.auto_id)
        if isinstance(widget, FastSelect):
            parts.append(widget.render(bf.html_name, bf.value(), attrs))
        elif isinstance(widget, forms.widgets.Input):
            value = widget.format_value(bf.value())
            attrs = widget.build_attrs(widget.attrs, attrs)
            attrs.pop("type", None)
            html = f'<input type="{escape(widget.attrs.get("type", widget.input_type))}" name="{escape(bf.html_name)}"'
            html += f' value="{escape(str(value))}"' if value is not None else ""
            html += "".join(f" {k}" if v is True else f' {k}="{escape(str(v))}"' for k, v in attrs.items()
                            if v is not False and v is not None)  # fmt: skip
            parts.append(html + ">")
        else:
            parts.append(str(bf))
        parts.append(str(bf.errors) + "</div>")
    return mark_safe("".join(parts))  # every value above is escaped or rendered by Django


_COUNTRY_CHOICES: dict[str, list[tuple[str, str]]] = {}


def country_choices() -> list[tuple[str, str]]:
    """All countries, named and sorted in the active language; built once per language
    (django-countries translates and sorts 250 names on every iteration: ~9 ms a list)."""
    lang = get_language() or "en"
    if lang not in _COUNTRY_CHOICES:
        _COUNTRY_CHOICES[lang] = [(code, str(name)) for code, name in countries]
    return _COUNTRY_CHOICES[lang]


class _PublicChoiceIds(Expression):
    """``public_choice_ids()[kind]`` as the right side of ``id__in``, read when the query is compiled.

    django-filter builds every filter's field, and so its queryset, for each request; reading the
    ids there made an export or an API call that renders no form pay for them (0.7 s at a million
    deals when the cache is cold). As an expression they are read only when the choices are listed
    or a submitted value is checked."""

    def __init__(self, kind: str):
        super().__init__(output_field=IntegerField())
        self.kind = kind

    def as_sql(self, compiler, connection):
        ids = public_choice_ids()[self.kind]
        # IN (NULL) matches nothing, as an empty list should
        return "(" + (", ".join(["%s"] * len(ids)) or "NULL") + ")", ids


def _bodies(request=None) -> QuerySet[GovernmentBody]:
    return GovernmentBody.objects.filter(id__in=_PublicChoiceIds("body")).order_by("name")


def _programmes(request=None) -> QuerySet[Programme]:
    return Programme.objects.filter(id__in=_PublicChoiceIds("programme")).order_by("name")


def _sectors(request=None) -> QuerySet[Sector]:
    return Sector.objects.filter(id__in=_PublicChoiceIds("sector")).order_by("name")


SMALL_ID_SET = 10_000


def _small_or_subquery(rows: QuerySet) -> list[int] | QuerySet | RawSQL:
    """A programme's few thousand deals as a list of ids, else the subquery.

    With a subquery PostgreSQL walks the whole date index probing each deal (300 ms at a million
    deals for a programme of 3,000); with the ids it fetches those rows and sorts them (~10 ms).
    A large set is dense enough that walking the date index finds a page at once.
    """
    ids = list(rows.order_by().values_list("deal_id", flat=True)[: SMALL_ID_SET + 1])
    if len(ids) > SMALL_ID_SET:
        return rows.order_by().values("deal_id")
    return ids_parameter(ids)


class DealFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=DealKindCode.choices, method="by_kind", widget=FastSelect
    )
    lifecycle = django_filters.ChoiceFilter(label=_("Status"), choices=Lifecycle.choices, widget=FastSelect)
    investor_country = django_filters.ChoiceFilter(
        label=_("Investor country"), choices=country_choices, method="by_investor_country", widget=FastSelect
    )
    party_country = django_filters.ChoiceFilter(
        label=_("Any party's country"), choices=country_choices, method="by_party_country", widget=FastSelect
    )
    destination_country = django_filters.ChoiceFilter(
        label=_("Destination"), choices=country_choices, widget=FastSelect
    )
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"), queryset=_sectors, method="by_sector", widget=FastSelect
    )
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"), queryset=_programmes, method="by_programme", widget=FastSelect
    )
    body = django_filters.ModelChoiceFilter(
        label=_("Government body"), queryset=_bodies, method="by_body", widget=FastSelect
    )
    usd_min = django_filters.NumberFilter(label=_("USD from"), field_name="usd_total", lookup_expr="gte")
    usd_max = django_filters.NumberFilter(label=_("USD to"), field_name="usd_total", lookup_expr="lte")
    date_from = django_filters.DateFilter(label=_("Signed from"), field_name="signed_on", lookup_expr="gte",
                                          widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    date_to = django_filters.DateFilter(label=_("Signed to"), field_name="signed_on", lookup_expr="lte",
                                        widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    language = django_filters.ChoiceFilter(
        label=_("Source language"),
        choices=[(c, LANGUAGE_NAMES.get(c, c)) for c in SOURCE_LANGUAGES],
        widget=FastSelect,
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), choices=[(k, SORT_LABELS[k]) for k in SORTS], method="sort_by", widget=FastSelect
    )

    class Meta:
        model = Deal
        fields: list[str] = []

    def by_kind(self, queryset: QuerySet[Deal], name: str, value: str) -> QuerySet[Deal]:
        return queryset.filter(id__in=Deal.kinds.through.objects.filter(dealkind_id=value).values("deal_id"))

    def by_investor_country(self, queryset: QuerySet[Deal], name: str, value: str) -> QuerySet[Deal]:
        investors = DealParty.objects.filter(company__country=value, role__in=INVESTOR_ROLES)
        return queryset.filter(id__in=investors.values("deal_id"))

    def by_party_country(self, queryset: QuerySet[Deal], name: str, value: str) -> QuerySet[Deal]:
        return queryset.filter(id__in=DealParty.objects.filter(company__country=value).values("deal_id"))

    def by_sector(self, queryset: QuerySet[Deal], name: str, value: Sector) -> QuerySet[Deal]:
        return queryset.filter(id__in=Deal.sectors.through.objects.filter(sector_id=value.pk).values("deal_id"))

    def by_programme(self, queryset: QuerySet[Deal], name: str, value: Programme) -> QuerySet[Deal]:
        return queryset.filter(id__in=_small_or_subquery(GovernmentInvolvement.objects.filter(programme_id=value.pk)))

    def by_body(self, queryset: QuerySet[Deal], name: str, value: GovernmentBody) -> QuerySet[Deal]:
        return queryset.filter(id__in=_small_or_subquery(GovernmentInvolvement.objects.filter(body_id=value.pk)))

    def search(self, queryset: QuerySet[Deal], name: str, value: str) -> QuerySet[Deal]:
        return deal_search(queryset, value)

    def sort_by(self, queryset: QuerySet[Deal], name: str, value: str) -> QuerySet[Deal]:
        return queryset.order_by(*SORTS.get(value, SORTS["-date"]))
