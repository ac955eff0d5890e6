"""The deal domain: companies, government bodies and programmes, deals and what backs them.

A deal has two independent states: its *lifecycle* (what happened in the world: announced, MOU
signed, ...) and its *review status* (what our staff decided: draft, approved, ...). Public pages
show approved deals only. Every value a worker extracted keeps its evidence; a field a reviewer
edited is listed in ``Deal.human_set_fields`` and workers never overwrite it.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .names import normalize_name

# Languages the extractor reads (sources.extraction.clean.language_of), for language filters.
SOURCE_LANGUAGES = ("ko", "en", "ja", "zh", "ru", "de")


class CompanyKind(models.TextChoices):
    PRIVATE = "private", _("Private company")
    STATE_OWNED = "state_owned", _("State-owned enterprise")
    UNIVERSITY = "university", _("University")
    RESEARCH = "research", _("Research institute")
    FUND = "fund", _("Fund")
    JOINT_VENTURE = "joint_venture", _("Joint venture")
    OTHER = "other", _("Other organisation")


class BodyLevel(models.TextChoices):
    NATIONAL = "national", _("National government")
    MINISTRY = "ministry", _("Ministry")
    AGENCY = "agency", _("Agency")
    PROVINCE = "province", _("Province / state")
    CITY = "city", _("City / county")
    ZONE = "zone", _("Economic zone authority")
    STATE_FUND = "state_fund", _("State fund")
    OTHER = "other", _("Other public body")


class DealKindCode(models.TextChoices):
    INVESTMENT = "investment", _("Investment")
    JOINT_VENTURE = "joint_venture", _("Joint venture")
    MOU = "mou", _("MOU")
    LICENSING = "licensing", _("Licensing")
    TECHNOLOGY_TRANSFER = "technology_transfer", _("Technology transfer")
    ACQUISITION = "acquisition", _("Acquisition")
    FUND = "fund", _("Fund")
    PARTNERSHIP = "partnership", _("Partnership")


class Lifecycle(models.TextChoices):
    ANNOUNCED = "announced", _("Announced")
    MOU_SIGNED = "mou_signed", _("MOU signed")
    AGREEMENT_SIGNED = "agreement_signed", _("Agreement signed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")


class DecidedBy(models.TextChoices):
    """Who or what made a review decision: only people's decisions measure the extractor."""

    PERSON = "person", _("A reviewer")
    DEMO = "demo", _("The demo loader")
    IMPORT = "import", _("A spreadsheet import")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
    UNKNOWN = "unknown", _("Unknown")


class PartyRole(models.TextChoices):
    INVESTOR = "investor", _("Investor")
    INVESTEE = "investee", _("Investee")
    PARTNER = "partner", _("Partner")
    LICENSOR = "licensor", _("Licensor")
    LICENSEE = "licensee", _("Licensee")
    ACQUIRER = "acquirer", _("Acquirer")
    TARGET = "target", _("Target")
    JV_PARENT = "jv_parent", _("JV parent")


# The investing side of a deal: the "investor country" filter, its facet and the stats map all
# read these roles (the investee, target, licensee and plain partners are the other side).
INVESTOR_ROLES = (PartyRole.INVESTOR, PartyRole.ACQUIRER, PartyRole.LICENSOR, PartyRole.JV_PARENT)


class AmountKind(models.TextChoices):
    INVESTMENT = "investment", _("Investment")
    UPFRONT = "upfront", _("Upfront payment")
    MILESTONE = "milestone", _("Milestones")
    FUND_SIZE = "fund_size", _("Fund size")
    TOTAL = "total", _("Total value")


class GovernmentRole(models.TextChoices):
    SIGNATORY = "signatory", _("Signatory")
    BROKER = "broker", _("Broker")
    HOST = "host", _("Host")
    FUNDER = "funder", _("Funder")


class Company(models.Model):
    """A company or non-government organisation that is party to deals, under one canonical name."""

    name = models.CharField(_("name"), max_length=255)
    country = CountryField(_("country"), blank=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CompanyKind.choices, default=CompanyKind.PRIVATE)
    website = models.URLField(_("website"), blank=True)
    # Set by a reviewer from the registry's ranked suggestions (screening.services.company_lei_link).
    lei = models.ForeignKey(
        "screening.RegistryEntity", on_delete=models.PROTECT, null=True, blank=True, related_name="companies",
        db_column="lei", verbose_name=_("LEI"),
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]
        # Listing filter "investor country": deal ids through the parties of companies of one country.
        indexes = [models.Index(fields=["country"], name="company_country_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("company-detail", args=[self.pk])


class CompanyAlias(models.Model):
    """One surface form of a company's name (any script, with or without legal form)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("alias"), max_length=255)
    normalized = models.CharField(max_length=255, db_index=True, editable=False)
    # A name an unreviewed article brought is pending: matching uses it, the public never sees it.
    accepted = models.BooleanField(_("accepted"), default=True, db_index=True)
    article = models.ForeignKey(
        "sources.Article", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text=_("The article this name was read from; empty when a person entered it."),
    )  # fmt: skip
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("company alias")
        verbose_name_plural = _("company aliases")
        constraints = [
            models.UniqueConstraint(fields=["company", "normalized"], name="company_alias_unique_per_company"),
            models.CheckConstraint(condition=~Q(normalized=""), name="company_alias_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.normalized = normalize_name(self.name)
        super().save(*args, **kwargs)


class Representative(models.Model):
    """A person who represents a company (CEO, 대표), with the title the article gives."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="representatives")
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="representative_unique_per_company"),
        ]

    def __str__(self) -> str:
        return self.name


class GovernmentBody(models.Model):
    """A public body: a ministry, province, city, agency (KOTRA, Invest Korea) or state fund."""

    name = models.CharField(_("name"), max_length=255)
    country = CountryField(_("country"), blank=True)
    level = models.CharField(_("level"), max_length=20, choices=BodyLevel.choices, default=BodyLevel.OTHER)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("government body")
        verbose_name_plural = _("government bodies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class GovernmentBodyAlias(models.Model):
    """Another name of a government body (경기도 / Gyeonggi Province / 경기도청)."""

    body = models.ForeignKey(GovernmentBody, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("alias"), max_length=255)
    normalized = models.CharField(max_length=255, db_index=True, editable=False)
    # A name an unreviewed article brought is pending: matching uses it, the public never sees it.
    accepted = models.BooleanField(_("accepted"), default=True, db_index=True)
    article = models.ForeignKey(
        "sources.Article", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text=_("The article this name was read from; empty when a person entered it."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("government body alias")
        verbose_name_plural = _("government body aliases")
        constraints = [
            models.UniqueConstraint(fields=["body", "normalized"], name="body_alias_unique_per_body"),
            models.CheckConstraint(condition=~Q(normalized=""), name="body_alias_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.normalized = normalize_name(self.name)
        super().save(*args, **kwargs)


class Programme(models.Model):
    """A named government programme (e.g. a province's technology-cooperation programme)."""

    name = models.CharField(_("name"), max_length=255)
    body = models.ForeignKey(GovernmentBody, on_delete=models.PROTECT, related_name="programmes")
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["body", "name"], name="programme_unique_per_body")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programme-detail", args=[self.pk])


# The taxonomy's sector names, for translation: a sector row holds its English name, and pages
# show it through this table (a sector added by hand shows as typed).
SECTOR_LABELS = {
    "semiconductors": _("semiconductors"), "batteries": _("batteries"), "advanced materials": _("advanced materials"),
    "biotech and pharma": _("biotech and pharma"), "automotive": _("automotive"), "robotics": _("robotics"),
    "ICT and software": _("ICT and software"), "chemicals": _("chemicals"), "energy": _("energy"),
    "displays and optics": _("displays and optics"),
}  # fmt: skip


class Sector(models.Model):
    """A technology sector from the taxonomy (batteries, semiconductors, biotech ...)."""

    slug = models.SlugField(unique=True, allow_unicode=True)  # 반도체 is a slug of its own
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["name"]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        return str(SECTOR_LABELS.get(self.name, self.name))


class DealKind(models.Model):
    """One of the fixed deal kinds; a table so that a deal can carry several and be filtered by them."""

    code = models.CharField(max_length=30, primary_key=True, choices=DealKindCode.choices)

    class Meta:
        verbose_name = _("deal kind")
        verbose_name_plural = _("deal kinds")
        ordering = ["code"]

    def __str__(self) -> str:
        return str(DealKindCode(self.code).label) if self.code in DealKindCode.values else self.code


JOINED_FIELDS = [f"joined_{c}" for c in ("kinds", "parties", "stakes", "amounts", "usd", "rate_dates", "government",
                                          "sectors", "sources")]  # fmt: skip


class Deal(models.Model):
    """One agreement between named parties, as reported by one or more articles."""

    title = models.CharField(_("title"), max_length=300)
    kinds = models.ManyToManyField(DealKind, related_name="deals", blank=True, verbose_name=_("kinds"))
    lifecycle = models.CharField(
        _("lifecycle"), max_length=20, choices=Lifecycle.choices, default=Lifecycle.AGREEMENT_SIGNED
    )
    review_status = models.CharField(
        _("review status"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    signed_on = models.DateField(_("signing date"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"), max_length=8, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN
    )
    place = models.CharField(_("place of signing"), max_length=255, blank=True)
    destination_country = CountryField(_("destination country"), blank=True)
    sectors = models.ManyToManyField(Sector, related_name="deals", blank=True, verbose_name=_("sectors"))
    summary = models.TextField(_("summary"), blank=True)
    confidence = models.DecimalField(_("confidence"), max_digits=3, decimal_places=2, default=Decimal("0"))
    language = models.CharField(_("language"), max_length=8, blank=True)
    usd_total = models.DecimalField(
        _("USD value"), max_digits=20, decimal_places=2, null=True, blank=True,
        help_text=_("Largest USD amount of the deal, kept for sorting and filtering."),
    )  # fmt: skip
    source_count = models.PositiveIntegerField(_("sources"), default=0)
    # The multi-valued export columns, joined from the deal's rows by the services that write them
    # (deals.export.JOINED), so that an export reads one plain table; `manage.py deals_summaries
    # --check` compares them with the rows.
    joined_kinds = models.TextField(null=True, editable=False)
    joined_parties = models.TextField(null=True, editable=False)
    joined_stakes = models.TextField(null=True, editable=False)
    joined_amounts = models.TextField(null=True, editable=False)
    joined_usd = models.TextField(null=True, editable=False)
    joined_rate_dates = models.TextField(null=True, editable=False)
    joined_government = models.TextField(null=True, editable=False)
    joined_sectors = models.TextField(null=True, editable=False)
    joined_sources = models.TextField(null=True, editable=False)
    # What the extractor proposed when the draft was created, for learning from corrections.
    extracted = models.JSONField(default=dict, blank=True, editable=False)
    extractor_version = models.CharField(max_length=40, blank=True)
    # Fields a reviewer set by hand; workers never overwrite these.
    human_set_fields = models.JSONField(default=list, blank=True)
    duplicate_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates")
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=10, choices=DecidedBy.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The joined columns are derived from rows that keep their own history.
    history = HistoricalRecords(excluded_fields=["updated_at", *JOINED_FIELDS])

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(review_status__in=ReviewStatus.values), name="deal_review_status_valid"),
            models.CheckConstraint(condition=Q(lifecycle__in=Lifecycle.values), name="deal_lifecycle_valid"),
            models.CheckConstraint(
                condition=Q(date_precision__in=DatePrecision.values), name="deal_date_precision_valid"
            ),
            models.CheckConstraint(
                condition=Q(signed_on__isnull=True, date_precision=DatePrecision.UNKNOWN)
                | (Q(signed_on__isnull=False) & ~Q(date_precision=DatePrecision.UNKNOWN)),
                name="deal_date_has_precision",
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=1), name="deal_confidence_between_0_and_1"
            ),
            models.CheckConstraint(
                condition=~Q(review_status=ReviewStatus.DUPLICATE) | Q(duplicate_of__isnull=False),
                name="deal_duplicate_names_original",
            ),
        ]
        indexes = [
            # The public listing's sort indexes (date and USD, NULLS LAST) are PostgreSQL-only:
            # SQLite cannot index NULLS LAST. See migrations/0006_listing_sort_indexes.py.
            # Review desk: drafts newest first (the admin's default order) ...
            models.Index(fields=["review_status", "-created_at", "-id"], name="deal_status_created_idx"),
            # ... and lowest confidence first (the admin appends its default order to a column sort).
            models.Index(
                fields=["review_status", "confidence", "-created_at", "-id"], name="deal_status_confidence_idx"
            ),
            # A filter that yields a list of deal ids (a programme's, a search's) checks each id for
            # approval and reads its date to sort: from this index alone, not from a table page per
            # id (5,000 ids at a million deals: 42 -> 25 ms).
            models.Index(
                fields=["id"],
                include=["signed_on"],
                condition=Q(review_status="approved"),
                name="deal_approved_id_date_idx",
            ),  # fmt: skip
            # The Atom feed: approved deals, newest decisions first, walked until 50 match its
            # filters (without it, every approved deal was sorted: 0.36 s at 100k, linear in the table).
            models.Index(
                fields=["-reviewed_at", "-id"], condition=Q(review_status="approved"), name="deal_approved_reviewed_idx"
            ),
        ]
        permissions = [("review_deal", _("Can approve, reject and merge deals"))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("deal-detail", args=[self.pk])


class DealParty(models.Model):
    """A company taking part in a deal in one role, with its stake where the article gives it."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="parties")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="deal_parties")
    role = models.CharField(_("role"), max_length=12, choices=PartyRole.choices, default=PartyRole.PARTNER)
    stake_percent = models.DecimalField(_("stake %"), max_digits=5, decimal_places=2, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deal party")
        verbose_name_plural = _("deal parties")
        constraints = [
            models.UniqueConstraint(fields=["deal", "company", "role"], name="deal_party_unique_role"),
            models.CheckConstraint(condition=Q(role__in=PartyRole.values), name="deal_party_role_valid"),
            models.CheckConstraint(
                condition=Q(stake_percent__isnull=True) | Q(stake_percent__gte=0, stake_percent__lte=100),
                name="deal_party_stake_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} as {self.role}"


class JointVenture(models.Model):
    """The company a deal creates, where it sits, and its parent companies."""

    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="joint_venture")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="joint_ventures")
    location = models.CharField(_("location"), max_length=255, blank=True)
    parents = models.ManyToManyField(Company, related_name="child_joint_ventures", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("joint venture")
        verbose_name_plural = _("joint ventures")

    def __str__(self) -> str:
        return f"JV of deal {self.deal_id}"


class Amount(models.Model):
    """Money a deal commits: a Decimal in an ISO 4217 currency, with its USD value and the rate used.

    ``alternates`` holds the same sum in the other forms the article gives it
    (500만불(한화 약 60억원): 5,000,000 USD with an alternate of 6,000,000,000 KRW).
    """

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="amounts")
    kind = models.CharField(_("kind"), max_length=12, choices=AmountKind.choices, default=AmountKind.INVESTMENT)
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, help_text=_("ISO 4217 code, e.g. USD, KRW"))
    estimated = models.BooleanField(_("estimated"), default=False)
    alternates = models.JSONField(default=list, blank=True)
    original_text = models.CharField(_("original text"), max_length=300, blank=True)
    usd_value = models.DecimalField(_("USD value"), max_digits=24, decimal_places=2, null=True, blank=True)
    usd_rate = models.DecimalField(_("rate to USD"), max_digits=20, decimal_places=10, null=True, blank=True)
    usd_rate_date = models.DateField(_("rate date"), null=True, blank=True)
    usd_rate_source = models.CharField(_("rate source"), max_length=60, blank=True)
    # The date lies after the last known fixing: the USD value uses the latest rate before it and
    # is revalued when newer rates arrive (``manage.py rates_update``, ``amounts_revalue_provisional``).
    usd_provisional = models.BooleanField(_("provisional rate"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("amount")
        verbose_name_plural = _("amounts")
        constraints = [
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="amount_currency_iso4217"),
            models.CheckConstraint(condition=Q(value__gt=0), name="amount_value_positive"),
            models.CheckConstraint(condition=Q(kind__in=AmountKind.values), name="amount_kind_valid"),
            models.CheckConstraint(
                condition=Q(usd_value__isnull=True)
                | Q(usd_rate__isnull=False, usd_rate_date__isnull=False) & ~Q(usd_rate_source=""),
                name="amount_usd_keeps_rate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value} {self.currency}"


class ExchangeRate(models.Model):
    """One ECB reference fixing: how many units of ``currency`` one euro bought on ``day``.

    Loaded by ``manage.py rates_update`` from the ECB history file; the money conversion
    (``sources.extraction.rates``) reads it from memory, filled by ``deals.rates.rates_refresh``."""

    day = models.DateField(_("day"))
    currency = models.CharField(_("currency"), max_length=3, help_text=_("ISO 4217 code, e.g. USD, KRW"))
    per_eur = models.DecimalField(_("units per euro"), max_digits=20, decimal_places=6)
    source = models.CharField(_("source"), max_length=300, help_text=_("The file or address the rate was read from."))

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "day"], name="exchange_rate_unique_day"),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="exchange_rate_currency_iso4217"),
            models.CheckConstraint(condition=Q(per_eur__gt=0), name="exchange_rate_positive"),
        ]
        indexes = [models.Index(fields=["day"], name="exchange_rate_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} 1 EUR = {self.per_eur} {self.currency}"


class GovernmentInvolvement(models.Model):
    """A government body or programme involved in a deal, in a role (signatory, broker, host, funder)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="government")
    body = models.ForeignKey(GovernmentBody, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    role = models.CharField(_("role"), max_length=12, choices=GovernmentRole.choices, default=GovernmentRole.BROKER)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("government involvement")
        verbose_name_plural = _("government involvement")
        constraints = [
            models.CheckConstraint(
                condition=Q(body__isnull=False) | Q(programme__isnull=False), name="government_names_body_or_programme"
            ),
            models.UniqueConstraint(fields=["deal", "body", "role"], name="government_body_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.body_id or self.programme_id} as {self.role}"


class DealSource(models.Model):
    """An article that reports the deal. A deal confirmed by several articles has several."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="sources")
    article = models.ForeignKey("sources.Article", on_delete=models.PROTECT, related_name="deal_sources")
    added_at = models.DateTimeField(auto_now_add=True)
    # A later article about an approved deal is pending until a reviewer accepts it: until then
    # neither it nor its quotes appear on a public page, in search, the CSV or a count.
    accepted = models.BooleanField(_("accepted"), default=True, db_index=True)

    class Meta:
        verbose_name = _("deal source")
        verbose_name_plural = _("deal sources")
        constraints = [models.UniqueConstraint(fields=["deal", "article"], name="deal_source_unique")]

    def __str__(self) -> str:
        return f"deal {self.deal_id} ← article {self.article_id}{'' if self.accepted else ' (pending)'}"


class Evidence(models.Model):
    """The span of an article's cleaned text that a field of a deal was read from."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="evidence")
    article = models.ForeignKey("sources.Article", on_delete=models.PROTECT, related_name="evidence")
    field = models.CharField(_("field"), max_length=40)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField(_("quoted text"))
    accepted = models.BooleanField(_("accepted"), default=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["article_id", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="evidence_span_ordered"),
            models.UniqueConstraint(fields=["deal", "article", "field", "start", "end"], name="evidence_unique_span"),
        ]

    def __str__(self) -> str:
        from .review import field_label

        return f"{field_label(self.field)} [{self.start}:{self.end}]"


# The order in which a deal moves; a cancellation can follow any stage.
STAGE_ORDER = {Lifecycle.ANNOUNCED: 0, Lifecycle.MOU_SIGNED: 1, Lifecycle.AGREEMENT_SIGNED: 2, Lifecycle.COMPLETED: 3,
               Lifecycle.CANCELLED: 4}  # fmt: skip


class DealStage(models.Model):
    """One dated step of a deal's life (MOU, signed, completed, cancelled), with the article that
    reported it. The deal's lifecycle is its latest accepted stage."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(_("stage"), max_length=20, choices=Lifecycle.choices)
    on = models.DateField(_("date"), null=True, blank=True)
    article = models.ForeignKey("sources.Article", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    evidence = models.TextField(_("evidence"), blank=True)
    accepted = models.BooleanField(_("accepted"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "stage", "article"], name="deal_stage_unique"),
            models.CheckConstraint(condition=Q(stage__in=Lifecycle.values), name="deal_stage_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.on or ''}".strip()


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class ProposalField(models.TextChoices):
    LIFECYCLE = "lifecycle", _("stage")
    AMOUNT = "amount", _("amount")
    PARTY = "party", _("new party")


class UpdateProposal(models.Model):
    """A change to a decided deal that a later article reports: one field, old → new, with its
    evidence. Nothing changes on the deal until a reviewer accepts it."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="proposals")
    article = models.ForeignKey("sources.Article", on_delete=models.PROTECT, related_name="+")
    field = models.CharField(_("field"), max_length=20, choices=ProposalField.choices)
    old = models.CharField(_("now"), max_length=300, blank=True)
    new = models.CharField(_("proposed"), max_length=300)
    # The machine-readable new value (a stage code and date, an amount, a company id).
    value = models.JSONField(default=dict)
    evidence = models.TextField(_("evidence"), blank=True)
    # The field was set by a reviewer: accepting overrides a person's decision, shown as such.
    conflict = models.BooleanField(_("overrides a reviewer's value"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=ProposalStatus.choices,
                              default=ProposalStatus.PENDING)  # fmt: skip
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("update proposal")
        verbose_name_plural = _("update proposals")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "article", "field", "new"], name="proposal_unique"),
            models.CheckConstraint(condition=Q(status__in=ProposalStatus.values), name="proposal_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_field_display()}: {self.old or '—'} → {self.new}"


class CountryProposal(models.Model):
    """A country an article gives for a company or government body that has none yet.

    Companies and bodies are shared by every deal that names them, so a worker never writes their
    country itself: the article's value waits here and is applied when a reviewer accepts that
    article for a deal naming the company or body (approving its draft, accepting it as a later
    source, accepting a proposal it brought). Until then no public page shows it."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="country_proposals")  # fmt: skip
    body = models.ForeignKey(GovernmentBody, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="country_proposals")  # fmt: skip
    article = models.ForeignKey("sources.Article", on_delete=models.PROTECT, related_name="+")
    country = CountryField(_("country"))
    status = models.CharField(_("status"), max_length=10, choices=ProposalStatus.choices,
                              default=ProposalStatus.PENDING)  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("country proposal")
        verbose_name_plural = _("country proposals")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(company__isnull=False, body__isnull=True) | Q(company__isnull=True, body__isnull=False),
                name="country_proposal_names_company_or_body",
            ),  # fmt: skip
            models.CheckConstraint(condition=~Q(country=""), name="country_proposal_not_blank"),
            models.CheckConstraint(condition=Q(status__in=ProposalStatus.values), name="country_proposal_status_valid"),
            models.UniqueConstraint(
                fields=["company", "article"],
                condition=Q(company__isnull=False),
                name="country_proposal_unique_company",
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["body", "article"], condition=Q(body__isnull=False), name="country_proposal_unique_body"
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.company or self.body}: {self.country} ({self.get_status_display()})"


class ImportedRow(models.Model):
    """One spreadsheet row that became a deal: where it came from, and the key that makes a
    re-import of the same file change nothing."""

    key = models.CharField(max_length=64, unique=True)
    file_name = models.CharField(_("file"), max_length=300)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    row_number = models.PositiveIntegerField(_("row"))
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")  # fmt: skip
    deal = models.ForeignKey(Deal, on_delete=models.SET_NULL, null=True, related_name="imported_rows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("imported row")
        verbose_name_plural = _("imported rows")

    def __str__(self) -> str:
        return f"{self.file_name}, {self.sheet or '-'}, row {self.row_number}"


class ImportMapping(models.Model):
    """The column mapping last used for a spreadsheet with these headers, offered for the next."""

    signature = models.CharField(max_length=64, unique=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")

    def __str__(self) -> str:
        return ", ".join(self.headers)[:100]
