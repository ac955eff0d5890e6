"""Workflows on articles: receive (store first), process (claim, extract, write drafts), retry,
sweep stuck rows, poll feeds.

The raw bytes are stored before anything else happens. Processing claims the row with a
conditional UPDATE so that two workers never extract the same article at once, and records a
readable reason on every failure.
"""

import datetime as dt
import hashlib
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Least
from django.utils import timezone

from deals.services import draft_upsert

from . import extraction
from .fetch import FetchError, fetch
from .models import Article, ArticleStatus, Origin, Source

log = logging.getLogger(__name__)


class ArticleRefused(ValueError):
    """Input refused before storing (over the size limit); the message says why."""


@dataclass
class Received:
    article: Article
    created: bool


# The embedded default has no worker: an admin upload is processed here, one article at a time,
# after the response has gone out, never inside the request.
_background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract")


def _run_in_background(article_id: int) -> None:
    from django.db import connections

    from .tasks import article_process_task

    try:
        article_process_task.apply(args=(article_id,))
    finally:
        connections.close_all()


def _enqueue(article_id: int, *, background: bool = False) -> None:
    from tracker.celery import app

    from .tasks import article_process_task

    def send() -> None:
        if background and app.conf.task_always_eager:
            _background.submit(_run_in_background, article_id)
            return
        try:
            article_process_task.delay(article_id)
        except Exception as exc:  # kombu OperationalError and friends: the broker is down
            # The row is committed and stays "received"; the stuck-article sweep or `ingest` re-queues it.
            log.warning("article %s stored but not queued (broker unavailable): %s", article_id, exc)
            Article.objects.filter(pk=article_id, status=ArticleStatus.RECEIVED).update(
                last_error=f"stored, not yet queued: broker unavailable ({type(exc).__name__})"
            )

    # After commit: a worker must find the row that the message names.
    transaction.on_commit(send)


@transaction.atomic
def article_receive(*, raw: bytes, origin: str = Origin.FILE, url: str | None = None, filename: str = "",
                    content_type: str = "", source: Source | None = None, background: bool = False) -> Received:  # fmt: skip
    """Store an article exactly as received and queue it for extraction; dedupe by URL and hash.

    ``background``: without a broker, process after the caller returns instead of before (web requests)."""
    limit = settings.ARTICLE_MAX_BYTES
    if len(raw) > limit:
        raise ArticleRefused(f"refused: {len(raw):,} bytes is over the article size limit of {limit:,} bytes")
    if url:
        existing = Article.objects.filter(url=url).first()
        if existing:
            return Received(existing, False)
    digest = hashlib.sha256(raw).hexdigest() if raw else None
    if digest:
        existing = Article.objects.filter(content_hash=digest).first()
        if existing:
            return Received(existing, False)
    article = Article.objects.create(
        raw=raw, origin=origin, url=url or None, filename=filename[:500], content_type=content_type[:200],
        content_hash=digest, source=source,
    )  # fmt: skip
    if not raw.strip():
        article.status, article.last_error = ArticleStatus.FAILED, "empty input: the article has no content"
        article.save(update_fields=["status", "last_error"])
    else:
        _enqueue(article.pk, background=background)
    return Received(article, True)


def article_receive_url(*, url: str, origin: str = Origin.URL, source: Source | None = None) -> Received:
    """Fetch a URL and receive it; an unreachable URL is stored as a failed article with its reason."""
    existing = Article.objects.filter(url=url).first()
    if existing:
        return Received(existing, False)
    try:
        page = fetch(url)
    except FetchError as exc:
        with transaction.atomic():
            article, created = Article.objects.get_or_create(
                url=url, defaults={"raw": b"", "origin": origin, "source": source, "status": ArticleStatus.FAILED,
                                   "last_error": str(exc)[:2000]},
            )  # fmt: skip
        return Received(article, created)
    return article_receive(raw=page.body, origin=origin, url=url, content_type=page.content_type, source=source)


def article_claim(*, article_id: int, token: str) -> Article | None:
    """Take the article for processing and return it, or None. A row still claimed by a live task
    is left alone; a redelivered message (same task id) or a claim older than the task time limit
    is taken over. One round trip: UPDATE ... RETURNING (PostgreSQL, SQLite 3.35+)."""
    ops = connection.ops
    stale = timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)
    claimed = Article.objects.raw(
        f"UPDATE {ops.quote_name(Article._meta.db_table)} SET status = %s, attempts = attempts + 1, "
        "processing_started_at = %s, claim_token = %s "
        "WHERE id = %s AND (status = %s OR (status = %s AND (claim_token = %s OR processing_started_at < %s))) "
        "RETURNING *",
        [ArticleStatus.PROCESSING, ops.adapt_datetimefield_value(timezone.now()), token[:64], article_id,
         ArticleStatus.RECEIVED, ArticleStatus.PROCESSING, token[:64], ops.adapt_datetimefield_value(stale)],
    )  # fmt: skip
    return next(iter(claimed), None)


def article_process(*, article_id: int, token: str = "in-process") -> str:
    """Claim, extract and write drafts. Returns the article's final status (or 'skipped')."""
    article = article_claim(article_id=article_id, token=token)
    if article is None:
        return "skipped"
    if article.attempts > settings.ARTICLE_MAX_ATTEMPTS:
        article_fail(
            article=article, reason=f"gave up after {article.attempts - 1} attempts; last error: {article.last_error}"
        )
        return ArticleStatus.FAILED
    try:
        result = extraction.extract(bytes(article.raw), content_type=article.content_type,
                                    max_bytes=settings.ARTICLE_MAX_BYTES,
                                    budget_seconds=settings.EXTRACTION_BUDGET_SECONDS)  # fmt: skip
    except extraction.ExtractionError as exc:
        article_fail(article=article, reason=str(exc))
        return ArticleStatus.FAILED
    fields = {"text": result.text, "title": (result.title or article.title)[:500], "language": result.language,
              "encoding": result.encoding, "published_on": result.published, "extractor_version": result.version,
              "extraction": result.to_dict()}  # fmt: skip
    for name, value in fields.items():
        setattr(article, name, value)
    with transaction.atomic():
        draft_upsert(article=article, result=article.extraction)
        # One UPDATE of the fields that changed (not the raw bytes back), and only while the claim is
        # still ours: a run whose claim went stale and was taken over leaves the writing to the new one.
        fields |= {"status": ArticleStatus.EXTRACTED, "last_error": "", "processed_at": timezone.now(),
                   "claim_token": ""}  # fmt: skip
        if not Article.objects.filter(pk=article_id, claim_token=token[:64]).update(**fields):
            transaction.set_rollback(True)
            return "skipped"
    return ArticleStatus.EXTRACTED


def article_fail(*, article: Article, reason: str) -> None:
    Article.objects.filter(pk=article.pk).update(
        status=ArticleStatus.FAILED, last_error=reason[:2000] or "unknown error", processed_at=timezone.now(),
        claim_token="",
    )  # fmt: skip


def article_release(*, article_id: int, error: str) -> None:
    """Hand a claimed article back after a transient error, so the retry can claim it."""
    Article.objects.filter(pk=article_id, status=ArticleStatus.PROCESSING).update(
        status=ArticleStatus.RECEIVED, last_error=error[:2000], claim_token=""
    )


@transaction.atomic
def article_retry(*, article_id: int, background: bool = False) -> bool:
    """Queue a failed (or finished) article again, from its stored bytes."""
    n = (
        Article.objects.filter(pk=article_id)
        .exclude(status=ArticleStatus.PROCESSING)
        .exclude(raw=b"")
        # One more attempt, not a fresh count: a retried article that keeps failing still gives up.
        .update(
            status=ArticleStatus.RECEIVED,
            attempts=Least(F("attempts"), settings.ARTICLE_MAX_ATTEMPTS - 1),
            claim_token="",
        )
    )
    if n:
        _enqueue(article_id, background=background)
    return bool(n)


def articles_requeue_stuck() -> int:
    """Re-queue articles whose worker vanished: received but never picked up, or processing too long."""
    cutoff = timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    stuck = list(
        Article.objects.filter(
            Q(status=ArticleStatus.PROCESSING, processing_started_at__lt=cutoff)
            | Q(status=ArticleStatus.RECEIVED, received_at__lt=cutoff)
        ).values_list("pk", flat=True)[:1000]
    )
    with transaction.atomic():
        for pk in stuck:
            _enqueue(pk)
    return len(stuck)


def feed_poll(*, source_id: int) -> tuple[int, int]:
    """Poll one feed: each new entry becomes an article. One poll per feed at a time."""
    import feedparser

    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)
    claimed = Source.objects.filter(
        Q(polling_since__isnull=True) | Q(polling_since__lt=stale), pk=source_id, active=True
    )
    if not claimed.update(polling_since=now):
        return 0, 0
    new = dup = 0
    try:
        source = Source.objects.get(pk=source_id)
        try:
            page = fetch(source.feed_url, accept_feeds=True)
        except FetchError as exc:
            failures = source.failures + 1
            polled = timezone.now()
            Source.objects.filter(pk=source_id).update(
                last_error=str(exc)[:2000], failures=failures, last_polled_at=polled,
                retry_after=polled + feed_backoff(interval_minutes=source.poll_interval_minutes, failures=failures),
            )  # fmt: skip
            return 0, 0
        parsed = feedparser.parse(page.body)
        problem = f"broken feed: {getattr(parsed, 'bozo_exception', 'unreadable XML')}" if parsed.bozo else ""
        for entry in parsed.entries:
            link = entry.get("link")
            if not link:
                continue
            received = article_receive_url(url=link, origin=Origin.FEED, source=source)
            new, dup = (new + 1, dup) if received.created else (new, dup + 1)
        # A broken feed still yields what the lenient parser could read; the problem stays visible.
        Source.objects.filter(pk=source_id).update(
            last_error=problem[:2000], last_polled_at=timezone.now(), failures=0, retry_after=None
        )
    finally:
        Source.objects.filter(pk=source_id).update(polling_since=None)
    return new, dup


def background_idle(timeout: float = 60) -> bool:
    """Wait until the embedded default's background extraction has nothing left (tests, shutdown)."""
    marker: Future = _background.submit(lambda: None)
    try:
        marker.result(timeout=timeout)
    except TimeoutError:
        return False
    return True


FEED_BACKOFF_MAX = dt.timedelta(days=1)


def feed_backoff(*, interval_minutes: int, failures: int) -> dt.timedelta:
    """How long a feed that failed ``failures`` times in a row waits: its interval doubled per
    failure (2×, 4×, 8× ...), at most a day."""
    return min(dt.timedelta(minutes=interval_minutes) * 2 ** min(failures, 20), FEED_BACKOFF_MAX)


def feeds_due() -> list[int]:
    """Active feeds whose interval has passed, or, for a failing feed, whose back-off has."""
    now = timezone.now()
    due = []
    waiting = Q(retry_after__isnull=False, retry_after__gt=now)
    fields = ("pk", "last_polled_at", "poll_interval_minutes", "retry_after")
    for s in Source.objects.filter(active=True).exclude(waiting).only(*fields):
        if s.retry_after is not None or s.last_polled_at is None:
            due.append(s.pk)
        elif s.last_polled_at + dt.timedelta(minutes=s.poll_interval_minutes) <= now:
            due.append(s.pk)
    return due


PROGRESS_MAX_IDS = 200


def article_ids_parameter(text: str) -> list[int] | None:
    """``"3,1,2"`` → [1, 2, 3]; None when it is not a short list of ids (the progress endpoint
    answers 400 rather than read an unbounded list)."""
    parts = [p for p in text.split(",") if p.strip()]
    if not parts or len(parts) > PROGRESS_MAX_IDS or not all(p.strip().isdigit() for p in parts):
        return None
    return sorted({int(p) for p in parts})


def articles_progress(*, article_ids: list[int]) -> dict:
    """Where each article stands and the deals it led to: two queries whatever the number."""
    from django.urls import reverse

    from deals.models import DealSource

    done_states = {ArticleStatus.EXTRACTED, ArticleStatus.FAILED}
    deals: dict[int, list[int]] = {}
    for article_id, deal_id in (
        DealSource.objects.filter(article_id__in=article_ids).order_by("deal_id").values_list("article_id", "deal_id")
    ):
        deals.setdefault(article_id, []).append(deal_id)
    articles = []
    for pk, status, error in (
        Article.objects.filter(pk__in=article_ids).order_by("pk").values_list("pk", "status", "last_error")
    ):
        articles.append({
            "id": pk, "status": status, "status_label": str(ArticleStatus(status).label),
            "done": status in done_states, "error": error if status == ArticleStatus.FAILED else "",
            "deals": [{"id": d, "url": reverse("admin:deals_deal_change", args=[d])} for d in deals.get(pk, [])],
        })  # fmt: skip
    return {"articles": articles, "done": all(a["done"] for a in articles)}
