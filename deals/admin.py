"""Admin for the deal domain: every model with search, filters and autocomplete."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import models


class CompanyAliasInline(admin.TabularInline):
    model = models.CompanyAlias
    extra = 0


class RepresentativeInline(admin.TabularInline):
    model = models.Representative
    extra = 0


@admin.register(models.Company)
class CompanyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "country", "kind", "created_at"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "aliases__name"]
    inlines = [CompanyAliasInline, RepresentativeInline]
    show_full_result_count = False


@admin.register(models.CompanyAlias)
class CompanyAliasAdmin(SimpleHistoryAdmin):
    list_display = ["name", "company", "normalized"]
    search_fields = ["name", "normalized", "company__name"]
    autocomplete_fields = ["company"]
    list_select_related = ["company"]


@admin.register(models.Representative)
class RepresentativeAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "company"]
    search_fields = ["name", "company__name"]
    autocomplete_fields = ["company"]
    list_select_related = ["company"]


class GovernmentBodyAliasInline(admin.TabularInline):
    model = models.GovernmentBodyAlias
    extra = 0


@admin.register(models.GovernmentBody)
class GovernmentBodyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "country", "level"]
    list_filter = ["level", "country"]
    search_fields = ["name", "aliases__name"]
    inlines = [GovernmentBodyAliasInline]


@admin.register(models.GovernmentBodyAlias)
class GovernmentBodyAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "body"]
    search_fields = ["name", "body__name"]
    autocomplete_fields = ["body"]


@admin.register(models.Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "body"]
    list_filter = ["body__level"]
    search_fields = ["name", "body__name"]
    autocomplete_fields = ["body"]
    list_select_related = ["body"]


@admin.register(models.Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(models.DealKind)
class DealKindAdmin(admin.ModelAdmin):
    search_fields = ["code"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DealPartyInline(admin.TabularInline):
    model = models.DealParty
    extra = 0
    autocomplete_fields = ["company"]


class AmountInline(admin.TabularInline):
    model = models.Amount
    extra = 0
    fields = ["kind", "value", "currency", "estimated", "original_text", "usd_value", "usd_rate", "usd_rate_date"]
    readonly_fields = ["usd_value", "usd_rate", "usd_rate_date"]


class GovernmentInvolvementInline(admin.TabularInline):
    model = models.GovernmentInvolvement
    extra = 0
    autocomplete_fields = ["body", "programme"]


class JointVentureInline(admin.StackedInline):
    model = models.JointVenture
    extra = 0
    autocomplete_fields = ["company", "parents"]


class DealSourceInline(admin.TabularInline):
    model = models.DealSource
    extra = 0
    autocomplete_fields = ["article"]
    readonly_fields = ["added_at"]


class EvidenceInline(admin.TabularInline):
    model = models.Evidence
    extra = 0
    fields = ["field", "text", "start", "end", "article"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Deal)
class DealAdmin(SimpleHistoryAdmin):
    list_display = [
        "title", "review_status", "lifecycle", "signed_on", "destination_country", "usd_total", "confidence",
        "source_count", "language", "created_at",
    ]  # fmt: skip
    list_filter = ["review_status", "lifecycle", "kinds", "destination_country", "language", "sectors"]
    search_fields = ["title", "parties__company__name", "parties__company__aliases__name"]
    autocomplete_fields = ["duplicate_of", "sectors"]
    filter_horizontal = ["kinds"]
    readonly_fields = ["extracted", "extractor_version", "reviewed_by", "reviewed_at", "source_count", "usd_total"]
    inlines = [
        DealPartyInline, JointVentureInline, AmountInline, GovernmentInvolvementInline, DealSourceInline,
        EvidenceInline,
    ]  # fmt: skip
    date_hierarchy = "created_at"
    show_full_result_count = False
    list_per_page = 50
    ordering = ["-created_at"]


@admin.register(models.Amount)
class AmountAdmin(SimpleHistoryAdmin):
    list_display = ["deal", "value", "currency", "usd_value", "usd_rate_date", "kind"]
    list_filter = ["currency", "kind", "estimated"]
    search_fields = ["deal__title", "original_text"]
    autocomplete_fields = ["deal"]
    list_select_related = ["deal"]


@admin.register(models.Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["deal", "field", "text", "article"]
    list_filter = ["field"]
    search_fields = ["text", "deal__title"]
    autocomplete_fields = ["deal", "article"]
    list_select_related = ["deal", "article"]


admin.site.site_header = _("Deal tracker review desk")
admin.site.site_title = _("Deal tracker")


@admin.register(models.DealParty)
class DealPartyAdmin(SimpleHistoryAdmin):
    list_display = ["deal", "company", "role", "stake_percent"]
    list_filter = ["role"]
    search_fields = ["deal__title", "company__name"]
    autocomplete_fields = ["deal", "company"]
    list_select_related = ["deal", "company"]


@admin.register(models.JointVenture)
class JointVentureAdmin(admin.ModelAdmin):
    list_display = ["company", "deal", "location"]
    search_fields = ["company__name", "deal__title", "location"]
    autocomplete_fields = ["deal", "company", "parents"]
    list_select_related = ["deal", "company"]


@admin.register(models.GovernmentInvolvement)
class GovernmentInvolvementAdmin(SimpleHistoryAdmin):
    list_display = ["deal", "body", "programme", "role"]
    list_filter = ["role"]
    search_fields = ["deal__title", "body__name", "programme__name"]
    autocomplete_fields = ["deal", "body", "programme"]
    list_select_related = ["deal", "body", "programme"]


@admin.register(models.DealSource)
class DealSourceAdmin(admin.ModelAdmin):
    list_display = ["deal", "article", "added_at"]
    search_fields = ["deal__title", "article__title", "article__url"]
    autocomplete_fields = ["deal", "article"]
    list_select_related = ["deal", "article"]
