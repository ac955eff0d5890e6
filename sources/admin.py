"""Admin for feeds and articles: where each article stands, and why it failed."""

from django.contrib import admin

from . import models


@admin.register(models.Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "publisher", "feed_url", "poll_interval_minutes", "active", "last_polled_at"]
    list_filter = ["active"]
    search_fields = ["name", "publisher", "feed_url"]
    readonly_fields = ["last_polled_at", "last_error"]


@admin.register(models.Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "language", "origin", "attempts", "published_on", "received_at"]
    list_filter = ["status", "language", "origin", "source"]
    search_fields = ["title", "url", "filename", "content_hash"]
    readonly_fields = [
        "content_hash", "encoding", "status", "attempts", "last_error", "extractor_version", "received_at",
        "processing_started_at", "processed_at", "text",
    ]  # fmt: skip
    exclude = ["raw"]
    show_full_result_count = False
    list_per_page = 50
