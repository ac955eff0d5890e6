"""``manage.py ingest PATH|URL|- ...``: store articles and queue them for extraction."""

import sys
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sources.models import ArticleStatus, Origin
from sources.services import ArticleRefused, article_receive, article_receive_url, articles_requeue_stuck

SUFFIXES = {".txt", ".html", ".htm"}


def _expand(inputs: list[str]) -> list[str]:
    out: list[str] = []
    for item in inputs:
        p = Path(item)
        if item != "-" and not item.startswith(("http://", "https://")) and p.is_dir():
            out.extend(str(f) for f in sorted(p.rglob("*")) if f.is_file() and f.suffix.lower() in SUFFIXES)
        else:
            out.append(item)
    return out


class Command(BaseCommand):
    help = "Ingest articles from files, folders (recursive), URLs or '-' (standard input)."

    def add_arguments(self, parser):
        parser.add_argument("inputs", nargs="+")
        parser.add_argument(
            "--sync", action="store_true", help="process in this process even when REDIS_URL is set (no worker needed)"
        )

    def handle(self, *args, **options):
        from tracker.celery import app

        eager = app.conf.task_always_eager
        if options["sync"]:
            app.conf.task_always_eager = True
        elif settings.REDIS_URL:
            self._check_broker()
        try:
            if app.conf.task_always_eager:
                # No beat runs in-process: an earlier run killed midway left its article "processing".
                stuck = articles_requeue_stuck()
                if stuck:
                    self.stdout.write(f"{stuck} article(s) left unfinished by an interrupted run: processed again")
            self._ingest(options)
        finally:
            # Called in-process (call_command, tests), --sync must not leave every later task eager.
            app.conf.task_always_eager = eager

    def _ingest(self, options) -> None:
        items = _expand(options["inputs"])
        counts: Counter[str] = Counter()
        failures: list[tuple[str, str]] = []
        new_ids: list[int] = []
        bar = tqdm(items, unit="article", disable=not sys.stderr.isatty() or len(items) < 2, file=sys.stderr)
        for item in bar:
            try:
                if item == "-":
                    received = article_receive(raw=sys.stdin.buffer.read(), origin=Origin.STDIN, filename="stdin")
                elif item.startswith(("http://", "https://")):
                    received = article_receive_url(url=item)
                else:
                    path = Path(item)
                    size = path.stat().st_size
                    if size > settings.ARTICLE_MAX_BYTES:
                        raise ArticleRefused(
                            f"refused: {size:,} bytes is over the article size limit of {settings.ARTICLE_MAX_BYTES:,} bytes"
                        )
                    received = article_receive(raw=path.read_bytes(), origin=Origin.FILE, filename=path.name)
            except (OSError, ArticleRefused) as exc:
                counts["failed"] += 1
                failures.append((item, str(exc)))
                continue
            article = received.article
            article.refresh_from_db(fields=["status", "last_error"])
            if not received.created:
                counts["duplicate"] += 1
            elif article.status == ArticleStatus.FAILED:
                counts["failed"] += 1
                failures.append((item, article.last_error))
            else:
                counts["new"] += 1
                new_ids.append(article.pk)
        mode = "processed in-process" if settings.CELERY_TASK_ALWAYS_EAGER or options["sync"] else "queued for workers"
        self.stdout.write(
            f"{len(items)} input(s): {counts['new']} new ({mode}), {counts['duplicate']} duplicate, {counts['failed']} failed"
        )
        for item, reason in failures:
            self.stdout.write(f"  failed: {item}: {reason}")
        self._links(new_ids)
        if failures and not counts["new"] and not counts["duplicate"]:
            # A script that ingests and goes on must see that nothing came in.
            raise CommandError(f"every input failed ({len(failures)})", returncode=2)

    def _links(self, article_ids: list[int]) -> None:
        """Where to look next: the drafts the new articles made (in-process), else the articles."""
        from django.urls import reverse

        from deals.models import DealSource

        site = settings.SITE_URL
        deals = sorted(set(DealSource.objects.filter(article_id__in=article_ids).values_list("deal_id", flat=True)))
        for pk in deals:
            self.stdout.write(f"  deal: {site}{reverse('admin:deals_deal_change', args=[pk])}")
        if article_ids and not deals:
            shown = article_ids[:20]
            for pk in shown:
                self.stdout.write(f"  article: {site}{reverse('admin:sources_article_change', args=[pk])}")
            if len(article_ids) > len(shown):
                ids = ",".join(map(str, article_ids))
                self.stdout.write(f"  all: {site}{reverse('admin:sources_article_changelist')}?id__in={ids}")

    def _check_broker(self) -> None:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
        except redis.RedisError as exc:
            raise CommandError(
                f"Redis at {settings.REDIS_URL} is not reachable ({exc}). Start Redis, or run with --sync to "
                "process the articles in this process."
            ) from exc
