"""Admin for feeds and articles: where each article stands, and why it failed."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_safe

from deals.services import deals_naming, deals_refresh_counts

from . import models, services


class ArticleSizeLimit(TemporaryFileUploadHandler):
    """Streams each uploaded file to disk and stops storing it once it passes the article size
    limit: a 200 MB upload costs neither memory nor 200 MB of disk, and the other files go on."""

    def __init__(self, request=None, limit: int = 0):
        super().__init__(request)
        self.limit = limit
        self.refused: list[tuple[str, int]] = []

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.refused.append((self.file_name, self.received))
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)


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
    list_display = ["name", "publisher", "feed_url", "poll_interval_minutes", "active", "last_polled_at", "failures",
                    "retry_after", "last_error"]  # fmt: skip
    list_filter = ["active"]
    search_fields = ["name", "publisher", "feed_url"]
    readonly_fields = ["last_polled_at", "last_error", "failures", "retry_after"]

    def save_model(self, request, obj, form, change):
        if change and {"feed_url", "active"} & set(form.changed_data):
            obj.failures, obj.retry_after = 0, None  # a fixed or re-enabled feed is tried at once
        super().save_model(request, obj, form, change)


@admin.register(models.Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "deal_links", "language", "origin", "attempts", "published_on", "received_at"]
    list_filter = ["status", "language", "origin", "source"]
    search_fields = ["title", "url", "filename", "content_hash"]
    readonly_fields = [
        "content_hash", "encoding", "status", "attempts", "last_error", "extractor_version", "received_at",
        "processing_started_at", "processed_at", "deal_links", "text",
    ]  # fmt: skip
    exclude = ["raw"]
    show_full_result_count = False
    list_per_page = 50
    actions = ["retry"]
    change_list_template = "admin/sources/article/change_list.html"

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="sources_article_upload"),
            path(
                "progress/",
                self.admin_site.admin_view(require_safe(self.progress_view)),
                name="sources_article_progress",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("deal_sources")

    @admin.display(description=_("deals"))
    def deal_links(self, obj):
        """Where the article led: the drafts (or known deals) it made or added a source to."""
        ids = sorted({ds.deal_id for ds in obj.deal_sources.all()})
        if not ids:
            return "—"
        return format_html_join(
            ", ", '<a href="{}">{} {}</a>', ((reverse("admin:deals_deal_change", args=[i]), _("deal"), i) for i in ids)
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if {"url", "title"} & set(form.changed_data):  # the deals' CSV cites its URL, else its title
            deals_refresh_counts(deal_ids=deals_naming(model=models.Article, pks=[obj.pk]))

    def add_view(self, request, form_url="", extra_context=None):
        # An article is its bytes: "Add" is the upload, never an empty row stuck in "received".
        return redirect("admin:sources_article_upload")

    @csrf_exempt  # the upload handler must be in place before the CSRF check reads the body
    def upload_view(self, request):
        limit = ArticleSizeLimit(request, settings.ARTICLE_MAX_BYTES)
        request.upload_handlers = [limit]
        return csrf_protect(lambda r: self._upload(r, limit))(request)

    def _upload(self, request, limit: ArticleSizeLimit):
        """Each file on its own: every good one is stored, and each refused one is named with its
        reason (over the size limit, empty, refused by the service), whatever the others were."""
        if not self.has_add_permission(request):
            return redirect("admin:sources_article_changelist")
        form = UploadForm(request.POST or None, request.FILES or None)
        files = request.FILES.getlist("files") if request.method == "POST" else []
        if request.method == "POST" and (files or limit.refused):
            refused = [_("%(name)s: refused: more than %(size)s bytes is over the article size limit of %(limit)s bytes")
                       % {"name": name, "size": f"{size:,}", "limit": f"{settings.ARTICLE_MAX_BYTES:,}"}
                       for name, size in limit.refused]  # fmt: skip
            new: list[int] = []
            dup: list[int] = []
            for f in files:
                if not f.size:
                    refused.append(_("%(name)s: refused: the file is empty") % {"name": f.name})
                    continue
                try:
                    received = services.article_receive(
                        raw=f.read(), origin=models.Origin.UPLOAD, filename=f.name, content_type=f.content_type or "",
                        background=True,
                    )  # fmt: skip
                except services.ArticleRefused as exc:
                    refused.append(f"{f.name}: {exc}")
                    continue
                (new if received.created else dup).append(received.article.pk)
            for message in refused:
                messages.error(request, message)
            if new or dup:
                links = format_html_join(
                    ", ", '<a href="{}">{}</a>',
                    ((reverse("admin:sources_article_change", args=[pk]), f"#{pk}") for pk in new + dup),
                )  # fmt: skip
                messages.success(request, format_html(
                    "{} {}", _("%(new)d new article(s) queued, %(dup)d duplicate(s).") % {"new": len(new), "dup": len(dup)},
                    links,
                ))  # fmt: skip
                ids = ",".join(str(pk) for pk in new + dup)
                return redirect(f"{reverse('admin:sources_article_changelist')}?id__in={ids}")
            return redirect("admin:sources_article_upload")
        context = {**self.admin_site.each_context(request), "form": form, "title": _("Upload articles"),
                   "opts": self.model._meta, "limit": f"{settings.ARTICLE_MAX_BYTES:,}"}  # fmt: skip
        return render(request, "admin/sources/article/upload.html", context)

    def changelist_view(self, request, extra_context=None):
        # The upload's result page (``?id__in=…``) follows its articles until each is read.
        ids = services.article_ids_parameter(request.GET.get("id__in", ""))
        if ids:
            progress = f"{reverse('admin:sources_article_progress')}?ids={','.join(map(str, ids))}"
            extra_context = {**(extra_context or {}), "progress_url": progress}
        return super().changelist_view(request, extra_context)

    def progress_view(self, request):
        """``?ids=1,2,3``: each article's state and the deals it led to, as JSON, for the result
        page's script (a file under ``script-src 'self'``) to poll until every article is done."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        ids = services.article_ids_parameter(request.GET.get("ids", ""))
        if ids is None:
            return JsonResponse({"error": _("ids: up to %(n)d article ids, comma-separated") % {"n": services.PROGRESS_MAX_IDS}},
                                status=400)  # fmt: skip
        return JsonResponse(services.articles_progress(article_ids=ids))

    def lookup_allowed(self, lookup, value, request=None):
        # The upload's redirect lists exactly the articles it received.
        return lookup == "id__in" or super().lookup_allowed(lookup, value, request)

    @admin.action(description=_("Retry extraction from the stored bytes"), permissions=["change"])
    def retry(self, request, queryset):
        n = sum(services.article_retry(article_id=pk, background=True) for pk in queryset.values_list("pk", flat=True))
        messages.success(request, _("%(n)d article(s) queued again.") % {"n": n})
