"""Sanctions lists and the LEI registry, loaded offline, and what screening found.

A list (``ScreeningList``) is replaced as a whole by each load (``ListLoad`` records what changed);
an entity that a load no longer contains is kept, marked delisted, so that the flags that named it
keep their history. Names are looked up through ``ListedName``: one row per indexed key of a name
(the whole normalised name, its sound-alike skeleton, and each distinctive word), never by a scan.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def empty_list() -> list:
    # A field named ``list`` shadows the builtin inside ListedEntity's class body.
    return []


class ListFormat(models.TextChoices):
    OPENSANCTIONS_CSV = "opensanctions-csv", _("OpenSanctions simple CSV")
    FTM_JSONL = "ftm-jsonl", _("FollowTheMoney entities (JSON lines)")
    OFAC_SDN_CSV = "ofac-sdn-csv", _("OFAC SDN CSV")


class KeyKind(models.TextChoices):
    FULL = "full", _("whole name")
    SOUND = "sound", _("sound-alike")
    WORD = "word", _("word")


class ScreeningList(models.Model):
    """A sanctions list as downloaded (one OpenSanctions collection, OFAC's SDN list ...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    source_url = models.URLField(_("source URL"), blank=True)
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    format = models.CharField(_("format"), max_length=20, choices=ListFormat.choices)
    list_date = models.DateField(_("list date"), null=True, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), null=True, blank=True)
    entity_count = models.PositiveIntegerField(_("entities"), default=0)

    class Meta:
        verbose_name = _("screening list")
        verbose_name_plural = _("screening lists")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(format__in=ListFormat.values), name="screening_list_format_valid"),
            models.CheckConstraint(condition=~Q(name=""), name="screening_list_named"),
        ]

    def __str__(self) -> str:
        return self.name


class ListLoad(models.Model):
    """One load of a list's file: what it added, removed and changed."""

    list = models.ForeignKey(ScreeningList, on_delete=models.PROTECT, related_name="loads")
    file_name = models.CharField(_("file"), max_length=500)
    sha256 = models.CharField(max_length=64)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    entities = models.PositiveIntegerField(_("entities"), default=0)
    added = models.PositiveIntegerField(_("added"), default=0)
    removed = models.PositiveIntegerField(_("removed"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    flags_cleared = models.PositiveIntegerField(_("flags cleared"), default=0)

    class Meta:
        verbose_name = _("list load")
        verbose_name_plural = _("list loads")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.list} {self.started_at:%Y-%m-%d %H:%M}"


class ListedEntity(models.Model):
    """One entry of a list: a company, organisation, person or vessel, with names in every script."""

    list = models.ForeignKey(ScreeningList, on_delete=models.PROTECT, related_name="entities")
    external_id = models.CharField(_("id on the list"), max_length=200)
    schema = models.CharField(_("kind"), max_length=40, blank=True)
    caption = models.CharField(_("name"), max_length=500)
    names = models.JSONField(_("names"), default=empty_list)
    countries = models.JSONField(_("countries"), default=empty_list)
    identifiers = models.JSONField(_("identifiers"), default=empty_list)
    programmes = models.JSONField(_("programmes"), default=empty_list)
    first_seen = models.DateField(_("first seen"), null=True, blank=True)
    last_seen = models.DateField(_("last seen"), null=True, blank=True)
    # What the entry said, hashed: a reload counts it as changed only when this differs.
    content_hash = models.CharField(max_length=64)
    last_load = models.ForeignKey(ListLoad, on_delete=models.PROTECT, related_name="+")
    delisted_at = models.DateTimeField(_("delisted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("listed entity")
        verbose_name_plural = _("listed entities")
        constraints = [
            models.UniqueConstraint(fields=["list", "external_id"], name="listed_entity_unique_per_list"),
            models.CheckConstraint(condition=~Q(external_id=""), name="listed_entity_has_id"),
        ]
        indexes = [models.Index(fields=["list", "last_load"], name="listed_entity_load_idx")]

    def __str__(self) -> str:
        return self.caption


class ListedName(models.Model):
    """An indexed key of one of a listed entity's names, for lookup without a scan."""

    entity = models.ForeignKey(ListedEntity, on_delete=models.CASCADE, related_name="keys")
    kind = models.CharField(max_length=5, choices=KeyKind.choices)
    key = models.CharField(max_length=255)
    name = models.CharField(max_length=500)

    class Meta:
        verbose_name = _("listed name key")
        verbose_name_plural = _("listed name keys")
        indexes = [models.Index(fields=["key", "kind"], name="listed_name_key_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=KeyKind.values), name="listed_name_kind_valid"),
            models.CheckConstraint(condition=~Q(key=""), name="listed_name_key_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class RegistryEntity(models.Model):
    """A legal entity of the GLEIF LEI golden copy (level 1: who is who)."""

    lei = models.CharField(_("LEI"), max_length=20, primary_key=True)
    legal_name = models.CharField(_("legal name"), max_length=500)
    other_names = models.JSONField(_("other names"), default=list, blank=True)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=10, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    address = models.TextField(_("registered address"), blank=True)
    status = models.CharField(_("status"), max_length=20, blank=True)
    registration_status = models.CharField(_("registration status"), max_length=30, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("LEI record")
        verbose_name_plural = _("LEI records")
        ordering = ["legal_name"]
        constraints = [
            # ISO 17442: 18 alphanumerics and two check digits (the registry has checked those).
            models.CheckConstraint(condition=Q(lei__regex=r"^[A-Z0-9]{18}[0-9]{2}$"), name="registry_lei_format"),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.lei})"


class RegistryName(models.Model):
    """An indexed key of one of a registry entity's names."""

    entity = models.ForeignKey(RegistryEntity, on_delete=models.CASCADE, related_name="keys")
    kind = models.CharField(max_length=5, choices=KeyKind.choices)
    key = models.CharField(max_length=255)
    name = models.CharField(max_length=500)

    class Meta:
        verbose_name = _("registry name key")
        verbose_name_plural = _("registry name keys")
        indexes = [models.Index(fields=["key", "kind"], name="registry_name_key_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=KeyKind.values), name="registry_name_kind_valid"),
            models.CheckConstraint(condition=~Q(key=""), name="registry_name_key_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class MatchStrength(models.TextChoices):
    STRONG = "strong", _("Strong")
    POSSIBLE = "possible", _("Possible")


class MatchStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed: same entity")
    DISMISSED = "dismissed", _("Dismissed: not the same")
    CLEARED = "cleared", _("Cleared: no longer listed or no longer matching")


class ScreeningMatch(models.Model):
    """A company that looks like a listed entity: the score, why, and what a reviewer decided.

    Re-screening updates an open flag's score and reasons; it never reopens or changes a flag a
    reviewer confirmed or dismissed."""

    company = models.ForeignKey("deals.Company", on_delete=models.CASCADE, related_name="screening_matches")
    entity = models.ForeignKey(ListedEntity, on_delete=models.PROTECT, related_name="matches")
    score = models.PositiveSmallIntegerField(_("score"))
    strength = models.CharField(_("strength"), max_length=8, choices=MatchStrength.choices)
    company_name = models.CharField(_("company's name"), max_length=500)
    listed_name = models.CharField(_("listed name"), max_length=500)
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=MatchStatus.choices, default=MatchStatus.OPEN)
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("screening match")
        verbose_name_plural = _("screening matches")
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "entity"], name="screening_match_unique"),
            models.CheckConstraint(condition=Q(score__lte=100), name="screening_match_score_at_most_100"),
            models.CheckConstraint(condition=Q(status__in=MatchStatus.values), name="screening_match_status_valid"),
            models.CheckConstraint(
                condition=Q(strength__in=MatchStrength.values), name="screening_match_strength_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[MatchStatus.CONFIRMED, MatchStatus.DISMISSED]) | ~Q(decision_reason=""),
                name="screening_match_decision_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "strength", "company"], name="screening_match_open_idx")]

    def __str__(self) -> str:
        return f"{self.company_name} ~ {self.listed_name} ({self.score})"
