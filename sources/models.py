"""Where deals come from: feeds (sources) and the articles received from them or by hand.

An article's raw bytes are stored exactly as received before anything else happens, so that a
failure later (decoding, extraction, a lost worker) loses nothing and can be retried.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSING = "processing", _("Processing")
    EXTRACTED = "extracted", _("Extracted")
    FAILED = "failed", _("Failed")


class Origin(models.TextChoices):
    FILE = "file", _("File")
    URL = "url", _("URL")
    FEED = "feed", _("Feed")
    UPLOAD = "upload", _("Admin upload")
    STDIN = "stdin", _("Standard input")
    IMPORT = "import", _("Spreadsheet import (a source named by URL, not fetched)")


class Source(models.Model):
    """A publisher's RSS/Atom feed, polled on a schedule by ``celery beat``."""

    name = models.CharField(_("name"), max_length=200)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    feed_url = models.URLField(_("feed URL"), max_length=1000, unique=True)
    poll_interval_minutes = models.PositiveIntegerField(_("polling interval (minutes)"), default=60)
    active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    # Set while one worker polls the feed; another worker skips it (one poll per feed at a time).
    polling_since = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    # A feed that cannot be fetched (unreachable, refused by the address checks, an HTTP error) is
    # tried again later and later: it was fetched every minute, for ever (issue 26).
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    retry_after = models.DateTimeField(_("next try after"), null=True, blank=True)

    class Meta:
        verbose_name = _("feed")
        verbose_name_plural = _("feeds")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(poll_interval_minutes__gte=1), name="source_interval_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """One received article: the raw bytes as received, then its decoded and cleaned text."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, null=True, blank=True, related_name="articles")
    origin = models.CharField(_("origin"), max_length=8, choices=Origin.choices, default=Origin.FILE)
    url = models.URLField(_("URL"), max_length=2000, null=True, blank=True)
    filename = models.CharField(_("file name"), max_length=500, blank=True)
    raw = models.BinaryField(_("raw bytes"))
    content_type = models.CharField(_("content type"), max_length=200, blank=True)
    # NULL when nothing was received (an unreachable URL), so such failures never collide.
    content_hash = models.CharField(_("SHA-256"), max_length=64, unique=True, null=True, blank=True)
    encoding = models.CharField(_("detected encoding"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True, db_index=True)
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    text = models.TextField(_("cleaned text"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ArticleStatus.choices, default=ArticleStatus.RECEIVED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    extractor_version = models.CharField(_("extractor version"), max_length=40, blank=True)
    extraction = models.JSONField(_("extraction result"), null=True, blank=True, editable=False)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    # The Celery task id that claimed the row; a redelivered message (same id) may claim it again.
    claim_token = models.CharField(max_length=64, blank=True, editable=False)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["url"], condition=Q(url__isnull=False), name="article_url_unique"),
            models.CheckConstraint(condition=Q(status__in=ArticleStatus.values), name="article_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=ArticleStatus.FAILED) | ~Q(last_error=""), name="article_failure_has_reason"
            ),
        ]
        indexes = [
            # The stuck-article sweep: processing rows ordered by when they were claimed.
            models.Index(fields=["status", "processing_started_at"], name="article_status_started_idx"),
        ]

    def __str__(self) -> str:
        return self.title or self.filename or self.url or f"article {self.pk}"
