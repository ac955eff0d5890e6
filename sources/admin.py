"""Admin for feeds and articles: where each article stands, and why it failed."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import models, services


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        return [single(d, initial) for d in data] if isinstance(data, list | tuple) else [single(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(label=_("Article files (.txt, .html; any encoding)"))


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
    actions = ["retry"]
    change_list_template = "admin/sources/article/change_list.html"

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="sources_article_upload"),
            *super().get_urls(),
        ]

    def upload_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:sources_article_changelist")
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            new = dup = 0
            for f in form.cleaned_data["files"]:
                if f.size > settings.ARTICLE_MAX_BYTES:
                    # Checked before reading: Django has the file on disk, it never enters memory.
                    messages.error(request, f"{f.name}: refused: {f.size:,} bytes is over the article size limit of "
                                            f"{settings.ARTICLE_MAX_BYTES:,} bytes")  # fmt: skip
                    continue
                try:
                    received = services.article_receive(
                        raw=f.read(), origin=models.Origin.UPLOAD, filename=f.name, content_type=f.content_type or ""
                    )
                except services.ArticleRefused as exc:
                    messages.error(request, f"{f.name}: {exc}")
                    continue
                new, dup = (new + 1, dup) if received.created else (new, dup + 1)
            messages.success(
                request, _("%(new)d new article(s) queued, %(dup)d duplicate(s).") % {"new": new, "dup": dup}
            )
            return redirect("admin:sources_article_changelist")
        context = {**self.admin_site.each_context(request), "form": form, "title": _("Upload articles"),
                   "opts": self.model._meta}  # fmt: skip
        return render(request, "admin/sources/article/upload.html", context)

    @admin.action(description=_("Retry extraction from the stored bytes"), permissions=["change"])
    def retry(self, request, queryset):
        n = sum(services.article_retry(article_id=pk) for pk in queryset.values_list("pk", flat=True))
        messages.success(request, _("%(n)d article(s) queued again.") % {"n": n})
