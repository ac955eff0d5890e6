"""The screening desk: lists and their loads, listed entities, LEI records and the flags.

The review screen of a deal shows its parties' flags (``deal_flags``) and asks a second
confirmation before approving a deal with an open strong match (``approval_needs_confirmation``);
the drafts list filters by screening state (``ScreeningStateFilter``). Those three are the seams
``deals.admin`` uses; screening results never leave the admin.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from deals.models import DealParty, JointVenture

from . import services
from .models import ListedEntity, ListLoad, MatchStatus, MatchStrength, RegistryEntity, ScreeningList, ScreeningMatch


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows a load writes: the desk reads them; a reload replaces them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ListLoadInline(admin.TabularInline):
    model = ListLoad
    fields = ["started_at", "file_name", "entities", "added", "removed", "changed", "flags_cleared", "sha256"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(ScreeningList)
class ScreeningListAdmin(ReadOnlyAdmin):
    list_display = ["name", "format", "list_date", "loaded_at", "entity_count", "licence"]
    inlines = [ListLoadInline]


@admin.register(ListedEntity)
class ListedEntityAdmin(ReadOnlyAdmin):
    list_display = ["caption", "schema", "list", "country_codes", "programme_codes", "delisted_at"]
    list_filter = ["list", "schema", ("delisted_at", admin.EmptyFieldListFilter)]
    search_fields = ["caption", "=external_id"]
    show_full_result_count = False

    @admin.display(description=_("countries"))
    def country_codes(self, obj):
        return ", ".join(obj.countries).upper()

    @admin.display(description=_("programmes"))
    def programme_codes(self, obj):
        return ", ".join(obj.programmes)[:120]


@admin.register(RegistryEntity)
class RegistryEntityAdmin(ReadOnlyAdmin):
    list_display = ["legal_name", "lei", "jurisdiction", "status"]
    search_fields = ["=lei", "legal_name"]
    list_filter = ["status"]
    show_full_result_count = False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("link/<int:company_id>/", view(self.link_view), name="screening_registryentity_link"),
                *super().get_urls()]  # fmt: skip

    def link_view(self, request, company_id):
        """One step from a suggestion on the company's page: its LEI is set (or removed)."""
        from deals.models import Company

        if request.method != "POST" or not request.user.has_perm("deals.change_company"):
            raise PermissionDenied
        company = get_object_or_404(Company, pk=company_id)
        lei = request.POST.get("lei") or None
        if lei and not RegistryEntity.objects.filter(pk=lei).exists():
            self.message_user(request, _("No such LEI record."), messages.ERROR)
        else:
            services.company_lei_link(company=company, lei=lei)
            self.message_user(request, format_html(_("LEI of “{}” set to {}."), company, lei or "—"), messages.SUCCESS)
        return redirect("admin:deals_company_change", company.pk)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[(MatchStatus.CONFIRMED, _("Confirm: same entity")),
                                          (MatchStatus.DISMISSED, _("Dismiss: not the same"))])  # fmt: skip
    reason = forms.CharField(label=_("reason"), max_length=2000)


@admin.register(ScreeningMatch)
class ScreeningMatchAdmin(SimpleHistoryAdmin):
    list_display = ["company_name", "listed_name", "list_name", "score", "strength", "status", "updated_at"]
    list_filter = ["status", "strength", "entity__list"]
    search_fields = ["company_name", "listed_name"]
    list_select_related = ["entity__list"]
    readonly_fields = ["company", "entity", "score", "strength", "company_name", "listed_name", "reason_lines",
                       "status", "decision_reason", "decided_by", "decided_at"]  # fmt: skip
    exclude = ["reasons"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("list"), ordering="entity__list__name")
    def list_name(self, obj):
        return obj.entity.list.name

    @admin.display(description=_("reasons"))
    def reason_lines(self, obj):
        return format_html_join("", "<div>{}</div>", ((r,) for r in obj.reasons))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("<int:pk>/decide/", view(self.decide_view), name="screening_screeningmatch_decide"),
                *super().get_urls()]  # fmt: skip

    def decide_view(self, request, pk):
        if request.method != "POST" or not request.user.has_perm("deals.review_deal"):
            raise PermissionDenied
        match = get_object_or_404(ScreeningMatch, pk=pk)
        form = DecideForm(request.POST)
        if form.is_valid():
            services.screening_match_decide(match=match, decision=form.cleaned_data["decision"],
                                            reason=form.cleaned_data["reason"], user=request.user)  # fmt: skip
            self.message_user(request, _("Screening flag decided: %(match)s") % {"match": match}, messages.SUCCESS)
        else:
            self.message_user(request, _("A screening decision needs a reason."), messages.ERROR)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("admin:screening_screeningmatch_change", args=[pk])
        return redirect(back)


# ---- seams for deals.admin ---------------------------------------------------------------------------


class ScreeningStateFilter(admin.SimpleListFilter):
    """Drafts by what screening found among their parties."""

    title = _("screening")
    parameter_name = "screening"

    def lookups(self, request, model_admin):
        return [("strong", _("Open strong match")), ("open", _("Any open match")),
                ("confirmed", _("Confirmed match")), ("clear", _("No open match"))]  # fmt: skip

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        matches = {"strong": Q(status=MatchStatus.OPEN, strength=MatchStrength.STRONG),
                   "open": Q(status=MatchStatus.OPEN), "clear": Q(status=MatchStatus.OPEN),
                   "confirmed": Q(status=MatchStatus.CONFIRMED)}[value]  # fmt: skip
        flagged = ScreeningMatch.objects.filter(matches).values("company_id")
        party = Exists(DealParty.objects.filter(deal=OuterRef("pk"), company__in=flagged))
        venture = Exists(JointVenture.objects.filter(deal=OuterRef("pk"), company__in=flagged))
        if value == "clear":
            return queryset.exclude(party).exclude(venture)
        return queryset.filter(party | venture)


def deal_flags(deal) -> list[ScreeningMatch]:
    """The flags of a deal's parties worth showing on its review screen (open and decided)."""
    return list(
        ScreeningMatch.objects.filter(
            Q(company__deal_parties__deal=deal) | Q(company__joint_ventures__deal=deal),
            status__in=[MatchStatus.OPEN, MatchStatus.CONFIRMED, MatchStatus.DISMISSED],
        )
        .distinct()
        .select_related("entity__list", "company", "decided_by")
        .order_by("status", "-score", "id")
    )


def approval_needs_confirmation(request, deal) -> list[ScreeningMatch]:
    """The open strong matches standing in the way of approving ``deal``, unless this request is the
    reviewer's second confirmation (``screening_confirmed``)."""
    if request.POST.get("screening_confirmed") == "1":
        return []
    return services.deal_open_strong_matches(deal)


def lei_suggestions(company) -> str:
    """The ranked LEI records for a company, each with a one-step link button."""
    if company is None or company.pk is None:
        return "—"
    rows = services.registry_suggestions(company=company)
    if not rows:
        return _("No LEI record matches this company's names.")
    entities = RegistryEntity.objects.in_bulk([c.entity_id for c in rows])
    url = reverse("admin:screening_registryentity_link", args=[company.pk])
    return format_html_join("", '<div><button type="submit" name="lei" value="{}" formaction="{}">'
                            "{}</button> {} · {} · {} ({})</div>",
                            ((c.entity_id, url, _("Link"), c.entity_id, entities[c.entity_id].legal_name,
                              entities[c.entity_id].jurisdiction, "; ".join(c.reasons)) for c in rows))  # fmt: skip
