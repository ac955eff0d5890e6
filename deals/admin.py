"""Admin for the deal domain: every model with search, filters and autocomplete."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from simple_history.admin import SimpleHistoryAdmin

from screening import admin as screening

from . import matching, models, review, selectors, services
from .export import SEPARATOR
from .pagination import EstimatedCountPaginator


class CompanyAliasInline(admin.TabularInline):
    model = models.CompanyAlias
    extra = 0


class RepresentativeInline(admin.TabularInline):
    model = models.Representative
    extra = 0


class MergeMixin:
    """Admin action and suggestion page for merging entities known under several names."""

    merge_service: str = ""
    alias_relation: str = "aliases"
    SUGGESTION_SAMPLE = 2000

    def has_merge_permission(self, request) -> bool:
        return request.user.has_perm("deals.review_deal")

    @admin.action(description=_("Merge selected into the oldest (names kept as aliases)"), permissions=["merge"])
    def merge_selected(self, request, queryset):
        items = list(queryset.order_by("pk"))
        if len(items) < 2:
            self.message_user(request, _("Select at least two to merge."), messages.WARNING)
            return
        getattr(services, self.merge_service)(survivor=items[0], others=items[1:])
        self.message_user(request, _("Merged %(n)d into “%(name)s”.") % {"n": len(items) - 1, "name": items[0]}, messages.SUCCESS)  # fmt: skip

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        view = self.admin_site.admin_view
        return [
            path("suggestions/", view(self.suggestions_view), name=f"{info[0]}_{info[1]}_suggestions"),
            *super().get_urls(),
        ]

    def suggestions_view(self, request):
        """Likely duplicates among the most recent entities, across scripts (Hangul, Latin, Cyrillic)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            if not self.has_merge_permission(request):
                raise PermissionDenied
            ids = [request.POST.get("survivor", ""), request.POST.get("other", "")]
            if not all(i.isdigit() for i in ids):
                raise Http404("Choose two records to merge.")
            survivor = get_object_or_404(self.model, pk=ids[0])
            other = get_object_or_404(self.model, pk=ids[1])
            getattr(services, self.merge_service)(survivor=survivor, others=[other])
            self.message_user(request, _("Merged into “%(name)s”.") % {"name": survivor}, messages.SUCCESS)
            return redirect(request.path)
        recent = self.model.objects.order_by("-pk").prefetch_related(self.alias_relation)[: self.SUGGESTION_SAMPLE]
        names = {o.pk: [o.name, *(a.name for a in getattr(o, self.alias_relation).all())] for o in recent}
        by_id = {o.pk: o for o in recent}
        pairs = [(by_id[s.left], by_id[s.right], s) for s in matching.suggest_duplicates(names)[:100]]
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "pairs": pairs,
                   "title": _("Suggested duplicates"), "sample": self.SUGGESTION_SAMPLE,
                   "can_merge": self.has_merge_permission(request)}  # fmt: skip
        return TemplateResponse(request, "admin/deals/suggestions.html", context)


class RefreshesDeals:
    """An edit here changes what deals show in their joined columns (a company's name, a party, an
    amount ...), which the CSV and the API read from the deal row: refresh the deals concerned, in
    the edit's transaction, before and after (a party moved to another deal changes both). It
    changes what /stats/ and the listing's dropdowns show too: their caches go as after a review
    decision (``services.deals_public_changed``)."""

    def _refresh(self, pks, before=()):
        services.deals_public_changed(deal_ids={*before, *services.deals_naming(model=self.model, pks=pks)})

    def save_model(self, request, obj, form, change):
        before = services.deals_naming(model=self.model, pks=[obj.pk]) if obj.pk else []
        super().save_model(request, obj, form, change)
        self._refresh([obj.pk], before)

    def delete_model(self, request, obj):
        before = services.deals_naming(model=self.model, pks=[obj.pk])
        super().delete_model(request, obj)
        services.deals_public_changed(deal_ids=before)

    def delete_queryset(self, request, queryset):
        before = services.deals_naming(model=self.model, pks=list(queryset.values_list("pk", flat=True)))
        super().delete_queryset(request, queryset)
        services.deals_public_changed(deal_ids=before)


@admin.register(models.Company)
class CompanyAdmin(RefreshesDeals, MergeMixin, SimpleHistoryAdmin):
    list_display = ["name", "country", "kind", "created_at"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "aliases__name"]
    inlines = [CompanyAliasInline, RepresentativeInline]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    actions = ["merge_selected"]
    merge_service = "company_merge"
    change_list_template = "admin/deals/merge_change_list.html"
    autocomplete_fields = ["lei"]
    readonly_fields = ["lei_suggestions"]

    @admin.display(description=_("LEI suggestions"))
    def lei_suggestions(self, obj):
        return screening.lei_suggestions(obj)


@admin.register(models.CompanyAlias)
class CompanyAliasAdmin(SimpleHistoryAdmin):
    list_display = ["name", "company", "normalized", "accepted", "article"]
    list_filter = ["accepted"]
    search_fields = ["name", "normalized", "company__name"]
    autocomplete_fields = ["company", "article"]
    list_select_related = ["company"]


@admin.register(models.CountryProposal)
class CountryProposalAdmin(admin.ModelAdmin):
    """Countries articles gave for companies and bodies that had none: applied when a reviewer
    accepts the article (approving its draft, accepting it as a source), never by a worker."""

    list_display = ["company", "body", "country", "article", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["company__name", "body__name"]
    list_select_related = ["company", "body", "article"]
    readonly_fields = ["company", "body", "article", "country", "status", "decided_at", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


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
class GovernmentBodyAdmin(RefreshesDeals, MergeMixin, SimpleHistoryAdmin):
    list_display = ["name", "country", "level"]
    list_filter = ["level", "country"]
    search_fields = ["name", "aliases__name"]
    inlines = [GovernmentBodyAliasInline]
    actions = ["merge_selected"]
    merge_service = "body_merge"
    change_list_template = "admin/deals/merge_change_list.html"


@admin.register(models.GovernmentBodyAlias)
class GovernmentBodyAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "body", "accepted", "article"]
    list_filter = ["accepted"]
    search_fields = ["name", "body__name"]
    autocomplete_fields = ["body", "article"]


@admin.register(models.Programme)
class ProgrammeAdmin(RefreshesDeals, SimpleHistoryAdmin):
    list_display = ["name", "body"]
    list_filter = ["body__level"]
    search_fields = ["name", "body__name"]
    autocomplete_fields = ["body"]
    list_select_related = ["body"]


@admin.register(models.Sector)
class SectorAdmin(RefreshesDeals, admin.ModelAdmin):
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


class BatchedAutocompleteSelect(AutocompleteSelect):
    """The admin's autocomplete, with the labels of the selected values given up front: Django's
    own fetches the selected value once per row, so a deal with 20 parties cost 20 queries."""

    labels: dict[str, str] | None = None

    def optgroups(self, name, value, attr=None):
        selected = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if self.labels is None or any(v not in self.labels for v in selected):
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        for v in selected:
            options.append(self.create_option(name, v, self.labels[v], set(selected), len(options)))
        return [(None, options, 0)]


class BatchedChoicesInline(admin.TabularInline):
    """An inline whose autocomplete fields read the labels of every row's value in one query."""

    label_only: dict[str, list[str]] = {}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.autocomplete_fields:
            kwargs["widget"] = BatchedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is None:
            return formset
        rows = self.model._default_manager.filter(**{formset.fk.name: obj})
        for name in self.autocomplete_fields:
            field = self.model._meta.get_field(name)
            if field.many_to_many:
                continue
            targets = field.remote_field.model._default_manager.filter(pk__in=rows.values(field.attname))
            if name in self.label_only:
                targets = targets.only("pk", *self.label_only[name])
            widget = formset.form.base_fields[name].widget
            inner = getattr(widget, "widget", widget)
            if isinstance(inner, BatchedAutocompleteSelect):
                inner.labels = {str(t.pk): str(t) for t in targets}
        return formset


class DealPartyInline(BatchedChoicesInline):
    model = models.DealParty
    extra = 0
    autocomplete_fields = ["company"]


class AmountInline(admin.TabularInline):
    model = models.Amount
    extra = 0
    # The USD value, its rate and the rate's date in one read-only column: as three, the row was
    # 964 px wide in the review desk's 635 px column at 1366×768.
    fields = ["kind", "value", "currency", "estimated", "original_text", "usd"]
    readonly_fields = ["usd"]

    @admin.display(description="USD")
    def usd(self, obj):
        if obj.usd_value is None:
            return "—"
        rate = f"{obj.usd_rate.normalize():f}" if obj.usd_rate is not None else "?"
        return format_html('<span class="num">{}</span><br><small class="num">× {} · {}</small>',
                           f"{obj.usd_value:,.0f}", rate, obj.usd_rate_date or "?")  # fmt: skip


class GovernmentInvolvementInline(BatchedChoicesInline):
    model = models.GovernmentInvolvement
    extra = 0
    autocomplete_fields = ["body", "programme"]


class JointVentureInline(admin.StackedInline):
    model = models.JointVenture
    extra = 0
    autocomplete_fields = ["company", "parents"]


class DealSourceInline(BatchedChoicesInline):
    model = models.DealSource
    extra = 0
    autocomplete_fields = ["article"]
    label_only = {"article": ["title", "filename", "url"]}
    readonly_fields = ["accepted", "added_at"]


class EvidenceInline(admin.TabularInline):
    model = models.Evidence
    extra = 0
    fields = ["field_label", "text", "article", "accepted"]
    readonly_fields = fields
    classes = ["collapse"]  # the highlighted article shows the same spans; this is the record

    @admin.display(description=_("field"))
    def field_label(self, obj):
        return review.field_label(obj.field)

    def get_queryset(self, request):
        # The article's name per row, without its bytes and text.
        article = ("article__raw", "article__text", "article__extraction")
        return super().get_queryset(request).select_related("article").defer(*article)

    def has_add_permission(self, request, obj=None):
        return False


# Which part of a deal an edit in the admin touches, in draft_upsert's terms (services.EXTRACTED_FIELDS).
FORM_FIELD_TO_EXTRACTED = {"signed_on": "signed_on", "date_precision": "signed_on", "title": "title",
                           "kinds": "kinds", "place": "place", "destination_country": "destination_country",
                           "sectors": "sectors", "confidence": "confidence", "lifecycle": "lifecycle"}  # fmt: skip
INLINE_TO_EXTRACTED = {models.DealParty: "parties", models.Amount: "amounts",
                       models.GovernmentInvolvement: "government", models.JointVenture: "joint_venture"}  # fmt: skip


class ReviewStatusFilter(admin.SimpleListFilter):
    """Drafts by default: the desk opens on the work to do."""

    title = _("review status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*models.ReviewStatus.choices, ("all", _("All"))]

    def choices(self, changelist):
        value = self.value() or models.ReviewStatus.DRAFT
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or models.ReviewStatus.DRAFT
        if value == "all":
            return queryset
        if value not in models.ReviewStatus.values:
            raise IncorrectLookupParameters(value)
        return queryset.filter(review_status=value)


class PendingUpdatesFilter(admin.SimpleListFilter):
    """Decided deals that later articles propose to change (a new stage, amount or party)."""

    title = _("proposed updates")
    parameter_name = "updates"

    def lookups(self, request, model_admin):
        return [("pending", _("waiting for review"))]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            pending = models.UpdateProposal.objects.filter(status=models.ProposalStatus.PENDING)
            return queryset.filter(id__in=pending.values("deal_id"))
        return queryset


class ConfidenceFilter(admin.SimpleListFilter):
    title = _("confidence")
    parameter_name = "confidence_band"
    BANDS = {"low": (Decimal("0"), Decimal("0.5")), "medium": (Decimal("0.5"), Decimal("0.8")),
             "high": (Decimal("0.8"), Decimal("1.01"))}  # fmt: skip

    def lookups(self, request, model_admin):
        return [("low", _("low (< 0.5)")), ("medium", _("medium (0.5–0.8)")), ("high", _("high (≥ 0.8)"))]

    def queryset(self, request, queryset):
        if self.value() in self.BANDS:
            low, high = self.BANDS[self.value()]
            return queryset.filter(confidence__gte=low, confidence__lt=high)
        return queryset


class SemiJoinFilter(admin.SimpleListFilter):
    """A filter on related rows written as ``id IN (deal ids)``: a join would need DISTINCT over
    the whole draft list."""

    def deal_ids(self, value: str):
        raise NotImplementedError

    def has_output(self) -> bool:
        # Choices may come from a cache that lags behind; a value in the URL always filters.
        return True

    def queryset(self, request, queryset):
        return queryset.filter(id__in=self.deal_ids(self.value())) if self.value() else queryset


class InvestorCountryFilter(SemiJoinFilter):
    title = _("party country")
    parameter_name = "party_country"

    def lookups(self, request, model_admin):
        # The distinct countries of all companies: cached, the companies table can be large.
        codes = cache.get_or_set(
            "deals:company-countries",
            lambda: sorted(set(models.Company.objects.order_by().values_list("country", flat=True).distinct()) - {""}),
            600,
        )
        names = dict(countries)
        return sorted(((c, names.get(c, c)) for c in codes), key=lambda pair: str(pair[1]))

    def deal_ids(self, value: str):
        return models.DealParty.objects.filter(company__country=value).values("deal_id")


class DestinationCountryFilter(admin.SimpleListFilter):
    """Only the destinations that occur (cached), not the ~250 countries of the field's choices."""

    title = _("destination")
    parameter_name = "destination_country"

    def lookups(self, request, model_admin):
        codes = cache.get_or_set(
            "deals:destination-countries",
            lambda: sorted(set(models.Deal.objects.order_by().values_list("destination_country", flat=True).distinct())
                           - {""}),
            600,
        )  # fmt: skip
        names = dict(countries)
        return sorted(((c, names.get(c, c)) for c in codes), key=lambda pair: str(pair[1]))

    def has_output(self) -> bool:
        return True

    def queryset(self, request, queryset):
        return queryset.filter(destination_country=self.value()) if self.value() else queryset


class ProgrammeFilter(SemiJoinFilter):
    title = _("programme")
    parameter_name = "programme"

    def lookups(self, request, model_admin):
        return [(str(p.pk), p.name) for p in models.Programme.objects.order_by("name")[:200]]

    def deal_ids(self, value: str):
        if not value.isdigit():
            raise IncorrectLookupParameters(value)
        return models.GovernmentInvolvement.objects.filter(programme_id=value).values("deal_id")


class LanguageFilter(admin.SimpleListFilter):
    """Fixed choices: listing the languages present would scan every deal on every page."""

    title = _("language")
    parameter_name = "language"

    def lookups(self, request, model_admin):
        return [(c, c) for c in models.SOURCE_LANGUAGES]

    def queryset(self, request, queryset):
        return queryset.filter(language=self.value()) if self.value() else queryset


# The decision fields sit beside the article but belong to the deal's own form (HTML ``form=``):
# a decision submits the reviewer's edits with it.
_IN_DEAL_FORM = {"form": "deal_form"}


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2, **_IN_DEAL_FORM}),
                             max_length=2000)  # fmt: skip


class DuplicateForm(forms.Form):
    original = forms.ModelChoiceField(
        label=_("Original deal (id)"),
        queryset=models.Deal.objects.exclude(review_status=models.ReviewStatus.DUPLICATE),
        widget=forms.NumberInput(attrs=_IN_DEAL_FORM),
    )


@admin.register(models.Deal)
class DealAdmin(SimpleHistoryAdmin):
    list_display = ["title", "party_names", "kind_codes", "usd", "signed_on", "destination",
                    "confidence", "missing", "source_count", "language", "review_status", "created_at"]  # fmt: skip
    list_filter = [ReviewStatusFilter, PendingUpdatesFilter, ConfidenceFilter, InvestorCountryFilter, DestinationCountryFilter, ProgrammeFilter,
                   ("usd_total", admin.EmptyFieldListFilter), LanguageFilter, "lifecycle", "kinds",
                   screening.ScreeningStateFilter]  # fmt: skip
    search_fields = ["title", "parties__company__aliases__name"]
    autocomplete_fields = ["duplicate_of", "sectors"]
    # The raw extraction is shown as the "extracted" column of the review table, not as JSON.
    exclude = ["extracted"]
    readonly_fields = ["review_status", "extractor_version", "human_set_fields", "reviewed_by",
                       "reviewed_at", "rejection_reason", "source_count", "usd_total"]  # fmt: skip
    inlines = [DealPartyInline, JointVentureInline, AmountInline, GovernmentInvolvementInline, DealSourceInline,
               EvidenceInline]  # fmt: skip
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    ordering = ["-created_at", "-id"]
    actions = ["approve_selected", "reject_selected", "merge_selected"]
    change_form_template = "admin/deals/deal/change_form.html"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "kinds":
            # Eight kinds fit as checkboxes; the two-list widget needs twice the column's width.
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def view_on_site(self, obj):
        # Only approved deals have a public page; a draft's would be a 404.
        if obj.review_status == models.ReviewStatus.APPROVED:
            return reverse("deal-detail", args=[obj.pk])
        return None

    @admin.display(description=_("USD"), ordering="usd_total")
    def usd(self, obj):
        return f"USD {obj.usd_total:,.0f}" if obj.usd_total is not None else "—"

    @admin.display(description=_("missing"))
    def missing(self, obj):
        return ", ".join(review.missing_fields(obj)) or "—"

    def get_search_results(self, request, queryset, search_term):
        # The public search (full text + trigram indexes on titles and aliases), not the admin's
        # OR across joined tables, which scans every deal (1.1 s at a million).
        if not search_term.strip():
            return queryset, False
        return selectors.deal_search(queryset, search_term), False

    @admin.display(description=_("parties"))
    def party_names(self, obj):
        # From the joined column ("Name (KR, investor); ..."): no query, no instance per party.
        return ", ".join(p.rpartition(" (")[0] or p for p in (obj.joined_parties or "").split(SEPARATOR) if p)

    @admin.display(description=_("kinds"))
    def kind_codes(self, obj):
        return ", ".join((obj.joined_kinds or "").split(SEPARATOR))

    @admin.display(description=_("destination country"), ordering="destination_country")
    def destination(self, obj):
        # The code, as the list showed it; the field's own display looked it up among 250 choices.
        return obj.destination_country.code or "—"

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm("deals.review_deal")

    # ---- edits mark fields as human-set ---------------------------------------------------------

    def save_model(self, request, obj, form, change):
        obj._change_reason = "review desk"
        if not change:
            super().save_model(request, obj, form, change)
        else:
            # The row locked as workers and decisions lock it, and only the columns this form
            # changed written: the page was read before, and a decision or a worker's write
            # committed since must not be written back with the rest of the row.
            models.Deal.objects.select_for_update().filter(pk=obj.pk).values_list("pk").first()
            columns = {f.name for f in models.Deal._meta.concrete_fields}
            obj.save(update_fields=[*(f for f in form.changed_data if f in columns), "updated_at"])
        touched = {FORM_FIELD_TO_EXTRACTED[f] for f in form.changed_data if f in FORM_FIELD_TO_EXTRACTED}
        request._deal_human_fields = touched

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        field = INLINE_TO_EXTRACTED.get(formset.model)
        if field and formset.has_changed():
            request._deal_human_fields = getattr(request, "_deal_human_fields", set()) | {field}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        touched = getattr(request, "_deal_human_fields", set())
        if touched:
            services.deal_mark_human_set(deal=form.instance, fields=sorted(touched))
        if {"amounts"} & touched:
            services.deal_amounts_revalue(deal=form.instance)
        if {"parties", "joint_venture", "kinds"} & touched:
            services.deal_title_refresh(deal=form.instance)
        # Inlines changed rows the export reads; an approved deal's edit shows in /stats/ too.
        if form.instance.review_status == models.ReviewStatus.APPROVED:
            services.deals_public_changed(deal_ids=[form.instance.pk])
        else:
            services.deal_refresh_counts(deal=form.instance)

    # ---- the review page ------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/approve/", view(self.approve_view), name="deals_deal_approve"),
            path("<int:pk>/reject/", view(self.reject_view), name="deals_deal_reject"),
            path("<int:pk>/duplicate/", view(self.duplicate_view), name="deals_deal_duplicate"),
            path("corrections/", view(self.corrections_view), name="deals_deal_corrections"),
            path("<int:pk>/proposal/", view(self.proposal_view), name="deals_deal_proposal"),
            path("import/", view(self.import_view), name="deals_deal_import"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        deal = (
            review.with_compared_relations(models.Deal.objects.filter(pk=object_id))
            .prefetch_related("sources__article", "evidence")
            .first()
        )
        if deal is not None:
            extra.update(self._review_context(request, deal))
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def _review_context(self, request, deal):
        by_article: dict[int, list] = {}
        first_anchor: dict[str, str] = {}
        for ev in deal.evidence.all():
            anchor = f"ev-{ev.pk}"
            by_article.setdefault(ev.article_id, []).append(review.Span(ev.start, ev.end, ev.field, anchor))
            first_anchor.setdefault(ev.field, anchor)
        articles = [
            {"article": s.article, "html": review.highlight(s.article.text, by_article.get(s.article_id, []))}
            for s in deal.sources.all()
        ]
        rows = review.field_rows(deal)
        for row in rows:
            row["anchor"] = first_anchor.get(row["field"], "")
        duplicates = (
            models.Deal.objects.filter(parties__company__in=[p.company_id for p in deal.parties.all()])
            .exclude(pk=deal.pk)
            .exclude(review_status=models.ReviewStatus.DUPLICATE)
            .distinct()
            .order_by("-id")[:5]
        )
        order = ("-created_at", "-id")
        drafts = models.Deal.objects.filter(review_status=models.ReviewStatus.DRAFT).exclude(pk=deal.pk)
        older = Q(created_at__lt=deal.created_at) | Q(created_at=deal.created_at, id__lt=deal.pk)
        return {
            "next_draft": drafts.filter(older).order_by(*order).values_list("pk", flat=True).first(),
            "previous_draft": drafts.exclude(older).order_by("created_at", "id").values_list("pk", flat=True).first(),
            "review_legend": review.legend(),
            "proposals": list(deal.proposals.select_related("article").order_by("status", "id")),
            "country_proposals": review.pending_countries(deal),
            "stages": list(deal.stages.order_by("on", "id")),
            "review_missing": review.missing_fields(deal),
            "review_articles": articles,
            "review_rows": rows,
            "review_deal": deal,
            "can_review": self.has_review_permission(request),
            # No "required" attribute: these fields are part of the deal's form, and a plain Save must
            # not be blocked by an empty rejection reason.
            "reject_form": RejectForm(prefix="decision", use_required_attribute=False),
            "duplicate_form": DuplicateForm(prefix="decision", use_required_attribute=False),
            "possible_duplicates": duplicates,
            "screening_flags": (flags := screening.deal_flags(deal)),
            "screening_blocking": any(m.status == "open" and m.strength == "strong" for m in flags),
        }

    def response_change(self, request, obj):
        # Still inside the admin's transaction: the edits were saved just now, and a decision that
        # is refused leaves them saved and decides nothing; an invalid form never reaches here.
        decision = next((d for d in ("_approve", "_reject", "_duplicate") if d in request.POST), None)
        if decision:
            return self._decide_with_edits(request, obj, decision)
        if "_savenext" in request.POST:
            self.message_user(request, _("Saved “%(deal)s”.") % {"deal": obj}, messages.SUCCESS)
            return self._next_draft_redirect(obj)
        return super().response_change(request, obj)

    def _decide_with_edits(self, request, obj, decision):
        if not self.has_review_permission(request):
            raise PermissionDenied
        if decision == "_approve":
            if screening.approval_needs_confirmation(request, obj):
                return self._refused(request, obj, _("Your edits are saved. A party has an open strong screening "
                                                     "match: confirm the approval under the flag."))  # fmt: skip
            services.deal_approve(deal=obj, user=request.user)
            self.message_user(request, _("Saved and approved “%(deal)s”.") % {"deal": obj}, messages.SUCCESS)
        elif decision == "_reject":
            form = RejectForm(request.POST, prefix="decision")
            if not form.is_valid():
                return self._refused(request, obj, _("Your edits are saved. A rejection needs a reason."))
            services.deal_reject(deal=obj, user=request.user, reason=form.cleaned_data["reason"])
            self.message_user(request, _("Saved and rejected “%(deal)s”.") % {"deal": obj}, messages.SUCCESS)
        else:
            form = DuplicateForm(request.POST, prefix="decision")
            if not form.is_valid() or form.cleaned_data["original"].pk == obj.pk:
                return self._refused(request, obj, _("Your edits are saved. Choose an existing deal that is not "
                                                     "itself a duplicate."))  # fmt: skip
            services.deal_merge(survivor=form.cleaned_data["original"], other=obj, user=request.user)
            self.message_user(request, _("Saved and merged into deal %(id)s.") % {"id": form.cleaned_data["original"].pk},
                              messages.SUCCESS)  # fmt: skip
        return self._next_draft_redirect(obj)

    def _next_draft_redirect(self, obj):
        nxt = (
            models.Deal.objects.filter(review_status=models.ReviewStatus.DRAFT)
            .exclude(pk=obj.pk)
            .order_by("-created_at", "-id")
            .values_list("pk", flat=True)
            .first()
        )
        if nxt is None:
            return redirect("admin:deals_deal_changelist")
        return redirect("admin:deals_deal_change", nxt)

    def _decision(self, request, pk):
        if request.method != "POST":
            raise PermissionDenied
        if not self.has_review_permission(request):
            raise PermissionDenied
        return get_object_or_404(models.Deal, pk=pk)

    def approve_view(self, request, pk):
        deal = self._decision(request, pk)
        if screening.approval_needs_confirmation(request, deal):
            return self._refused(request, deal, _("A party has an open strong screening match: confirm the "
                                                  "approval under the flag."))  # fmt: skip
        services.deal_approve(deal=deal, user=request.user)
        self.message_user(request, _("Approved “%(deal)s”.") % {"deal": deal}, messages.SUCCESS)
        return self._after_decision(request, deal)

    def reject_view(self, request, pk):
        deal = self._decision(request, pk)
        form = RejectForm(request.POST)
        if not form.is_valid():
            return self._refused(request, deal, _("A rejection needs a reason."))
        services.deal_reject(deal=deal, user=request.user, reason=form.cleaned_data["reason"])
        self.message_user(request, _("Rejected “%(deal)s”.") % {"deal": deal}, messages.SUCCESS)
        return self._after_decision(request, deal)

    def duplicate_view(self, request, pk):
        deal = self._decision(request, pk)
        form = DuplicateForm(request.POST)
        if not form.is_valid():
            return self._refused(request, deal, _("Choose an existing deal that is not itself a duplicate."))
        try:
            services.deal_merge(survivor=form.cleaned_data["original"], other=deal, user=request.user)
        except ValueError as exc:
            return self._refused(request, deal, str(exc))
        self.message_user(request, _("Merged into deal %(id)s; its sources moved over.") % {"id": form.cleaned_data["original"].pk}, messages.SUCCESS)  # fmt: skip
        return self._after_decision(request, deal)

    def import_view(self, request):
        """Spreadsheet import: upload, see per row what would happen (dry run), then import. The
        uploaded file lives only from its dry run to the confirmation, whatever happens to either."""
        from pathlib import Path

        from . import imports

        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "title": _("Import deals from a spreadsheet"),
                   "opts": self.model._meta, "can_review": self.has_review_permission(request)}  # fmt: skip
        if request.method == "POST" and "confirm" in request.POST:
            stored = request.session.pop("deal_import", None)
            path = imports.upload_path(stored["path"]) if stored else None
            if path is None:
                self.message_user(request, _("Upload the file again: the dry run has expired."), messages.ERROR)
                return redirect("admin:deals_deal_import")
            approve = stored["approve"] and self.has_review_permission(request)
            try:
                report = imports.import_file(path, user=request.user, approve=approve, name=stored["name"])
            except imports.SpreadsheetError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return redirect("admin:deals_deal_import")
            finally:
                path.unlink(missing_ok=True)
            self.message_user(request, _("%(created)d deal(s) imported, %(unchanged)d unchanged, %(refused)d refused.")
                              % {"created": report.created, "unchanged": report.unchanged,
                                 "refused": len(report.refused)}, messages.SUCCESS)  # fmt: skip
            for warning in report.warnings:
                self.message_user(request, warning, messages.WARNING)
            return redirect(f"{reverse('admin:deals_deal_changelist')}?status={'approved' if approve else 'draft'}")
        if request.method == "POST" and request.FILES.get("file"):
            upload = request.FILES["file"]
            suffix = Path(upload.name).suffix.lower()
            limit = imports.Limits.from_settings().max_bytes
            if suffix not in (".xlsx", ".xlsm", ".csv", ".txt"):
                self.message_user(request, _("%(name)s: not a spreadsheet (.xlsx or .csv)") % {"name": upload.name},
                                  messages.ERROR)  # fmt: skip
                return redirect("admin:deals_deal_import")
            if upload.size > limit:
                self.message_user(request, _("%(name)s: %(size)s bytes is over the import limit of %(limit)s bytes")
                                  % {"name": upload.name, "size": f"{upload.size:,}", "limit": f"{limit:,}"},
                                  messages.ERROR)  # fmt: skip
                return redirect("admin:deals_deal_import")
            path = imports.upload_keep(upload.chunks(), suffix)
            try:
                report = imports.import_file(path, dry_run=True, name=upload.name)
            except imports.SpreadsheetError as exc:
                path.unlink(missing_ok=True)
                self.message_user(request, str(exc), messages.ERROR)
                return redirect("admin:deals_deal_import")
            except BaseException:
                path.unlink(missing_ok=True)
                raise
            previous = request.session.get("deal_import")
            if previous and imports.upload_path(previous["path"]):
                Path(previous["path"]).unlink(missing_ok=True)  # a second dry run replaces the first
            request.session["deal_import"] = {"path": str(path), "name": upload.name,
                                              "approve": bool(request.POST.get("approve"))}  # fmt: skip
            context.update(report=report, plans=report.plans[:100])
        return TemplateResponse(request, "admin/deals/deal/import.html", context)

    def proposal_view(self, request, pk):
        """Accept or reject one proposed update, field by field."""
        deal = self._decision(request, pk)
        accept, reject = request.POST.get("accept", ""), request.POST.get("reject", "")
        chosen = accept or reject
        if not chosen.isdigit():
            return self._refused(request, deal, _("Choose a proposed change."))
        proposal = get_object_or_404(models.UpdateProposal, pk=chosen, deal=deal)
        if accept:
            services.proposal_accept(proposal=proposal, user=request.user)
            self.message_user(request, _("Accepted: %(change)s") % {"change": proposal}, messages.SUCCESS)
        else:
            services.proposal_reject(proposal=proposal, user=request.user)
            self.message_user(request, _("Rejected: %(change)s") % {"change": proposal}, messages.SUCCESS)
        return redirect("admin:deals_deal_change", deal.pk)

    def _refused(self, request, deal, message):
        self.message_user(request, message, messages.ERROR)
        return redirect("admin:deals_deal_change", deal.pk)

    def _after_decision(self, request, deal):
        if request.POST.get("next") == "draft":
            return self._next_draft_redirect(deal)
        return redirect("admin:deals_deal_change", deal.pk)

    # ---- bulk actions ---------------------------------------------------------------------------

    @admin.action(description=_("Approve selected deals"), permissions=["review"])
    def approve_selected(self, request, queryset):
        n, held = 0, []
        for deal in queryset.exclude(review_status=models.ReviewStatus.DUPLICATE):
            if screening.approval_needs_confirmation(request, deal):
                held.append(str(deal.pk))  # a second confirmation is given on the deal's own page
                continue
            services.deal_approve(deal=deal, user=request.user)
            n += 1
        self.message_user(request, _("Approved %(n)d deal(s).") % {"n": n}, messages.SUCCESS)
        if held:
            self.message_user(request, _("Not approved, a party has an open strong screening match: %(ids)s")
                              % {"ids": ", ".join(held)}, messages.WARNING)  # fmt: skip

    @admin.action(description=_("Reject selected deals…"), permissions=["review"])
    def reject_selected(self, request, queryset):
        form = RejectForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            n = 0
            for deal in queryset:
                services.deal_reject(deal=deal, user=request.user, reason=form.cleaned_data["reason"])
                n += 1
            self.message_user(request, _("Rejected %(n)d deal(s).") % {"n": n}, messages.SUCCESS)
            return None
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "deals": queryset, "title": _("Reject deals"), "action": "reject_selected",
                   "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME}  # fmt: skip
        return TemplateResponse(request, "admin/deals/deal/reject_selected.html", context)

    @admin.action(description=_("Merge selected deals (same agreement) into the oldest"), permissions=["review"])
    def merge_selected(self, request, queryset):
        deals = list(queryset.exclude(review_status=models.ReviewStatus.DUPLICATE).order_by("pk"))
        if len(deals) < 2:
            self.message_user(request, _("Select at least two deals to merge."), messages.WARNING)
            return
        survivor = next((d for d in deals if d.review_status == models.ReviewStatus.APPROVED), deals[0])
        for other in deals:
            if other.pk != survivor.pk:
                services.deal_merge(survivor=survivor, other=other, user=request.user)
        self.message_user(request, _("Merged %(n)d deal(s) into deal %(id)s.") % {"n": len(deals) - 1, "id": survivor.pk}, messages.SUCCESS)  # fmt: skip

    # ---- learning from corrections --------------------------------------------------------------

    CORRECTIONS_SAMPLE = 5000

    def corrections_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        approved = review.with_compared_relations(
            # People's decisions only: the demo's automatic approvals would flatter the extractor.
            models.Deal.objects.filter(
                review_status=models.ReviewStatus.APPROVED, decided_by=models.DecidedBy.PERSON
            ).exclude(extracted={})
        ).order_by("-reviewed_at", "-id")[: self.CORRECTIONS_SAMPLE]
        stats = review.correction_stats(approved)
        versions = []
        for version, per_field in sorted(stats.by_version.items(), reverse=True):
            rows = [{"field": f, "score": per_field[f]} for f in review.COMPARED_FIELDS]
            versions.append({"version": version, "rows": rows})
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": _("Extraction quality measured on approved deals"), "stats": stats,
                   "versions": versions, "corrections": stats.corrections.most_common(15),
                   "sample": self.CORRECTIONS_SAMPLE}  # fmt: skip
        return TemplateResponse(request, "admin/deals/deal/corrections.html", context)


@admin.register(models.Amount)
class AmountAdmin(RefreshesDeals, SimpleHistoryAdmin):
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
class DealPartyAdmin(RefreshesDeals, SimpleHistoryAdmin):
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
class GovernmentInvolvementAdmin(RefreshesDeals, SimpleHistoryAdmin):
    list_display = ["deal", "body", "programme", "role"]
    list_filter = ["role"]
    search_fields = ["deal__title", "body__name", "programme__name"]
    autocomplete_fields = ["deal", "body", "programme"]
    list_select_related = ["deal", "body", "programme"]


@admin.register(models.DealSource)
class DealSourceAdmin(RefreshesDeals, admin.ModelAdmin):
    """Sources, with the later articles about decided deals waiting for a reviewer ("pending")."""

    list_display = ["deal", "article", "accepted", "added_at"]
    list_filter = ["accepted"]
    search_fields = ["deal__title", "article__title", "article__url"]
    autocomplete_fields = ["deal", "article"]
    list_select_related = ["deal", "article"]
    readonly_fields = ["accepted", "added_at"]
    actions = ["accept_sources", "refuse_sources"]

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm("deals.review_deal")

    @admin.action(description=_("Accept selected sources (they and their quotes become public)"),
                  permissions=["review"])  # fmt: skip
    def accept_sources(self, request, queryset):
        for source in queryset.filter(accepted=False):
            services.deal_source_accept(source=source, user=request.user)
        self.message_user(request, _("Accepted."))

    @admin.action(description=_("Refuse selected sources (they no longer back their deal)"), permissions=["review"])
    def refuse_sources(self, request, queryset):
        for source in queryset.filter(accepted=False):
            services.deal_source_refuse(source=source, user=request.user)
        self.message_user(request, _("Refused."))
