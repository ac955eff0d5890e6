"""``manage.py reextract``: run extraction again from the stored bytes.

Drafts are updated; values a reviewer set, and approved or rejected deals, are left alone
(they only gain sources).
"""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from sources.extraction import VERSION
from sources.models import Article, ArticleStatus
from sources.services import article_retry


class Command(BaseCommand):
    help = "Queue articles for extraction again (by default those extracted by an older extractor version)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="every article, whatever its extractor version")
        parser.add_argument("--failed", action="store_true", help="only failed articles")
        parser.add_argument("ids", nargs="*", type=int, help="only these article ids")

    def handle(self, *args, **options):
        qs = Article.objects.exclude(status=ArticleStatus.PROCESSING).exclude(raw=b"")
        if options["ids"]:
            qs = qs.filter(pk__in=options["ids"])
        elif options["failed"]:
            qs = qs.filter(status=ArticleStatus.FAILED)
        elif not options["all"]:
            qs = qs.exclude(extractor_version=VERSION)
        ids = list(qs.values_list("pk", flat=True))
        queued = sum(article_retry(article_id=pk) for pk in tqdm(ids, unit="article", disable=len(ids) < 2))
        self.stdout.write(f"{queued} article(s) queued for extraction with extractor {VERSION}.")
