"""Round trips of the worker's task body for one article (issue 16): a worker's throughput is set by
its queries to PostgreSQL, not by extraction. Transactional, so that the task's own transaction is
a real one, as in a worker (a test transaction would turn it into counted savepoints)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.models import (
    Amount,
    Company,
    CompanyAlias,
    Deal,
    DealParty,
    DealSource,
    Evidence,
    GovernmentInvolvement,
    JointVenture,
    Sector,
)  # fmt: skip
from sources.models import Article, ArticleStatus
from sources.tasks import article_process_task

pytestmark = pytest.mark.django_db(transaction=True)

MAX_QUERIES = 20

# Invented companies, generic news phrasing.
TEXT = (
    "Tovaro signs $120 million deal with German battery firm\n"
    "Seoul, March 3, 2025\n\n"
    "Quelmar Materials GmbH, a German battery company, and Korea's Tovaro Co., Ltd. signed an investment "
    "agreement worth $120 million on March 3, 2025, the companies said. The partners will build a plant in "
    "Pyeongtaek and hire 200 people.\n\n"
    '"This is our first investment in Korea," the chief executive of Quelmar said.\n'
)


def rows() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Deal, Company, CompanyAlias, DealParty, Amount, DealSource,
                                                    Evidence, Sector, GovernmentInvolvement, JointVenture)} | {
        "kinds": Deal.kinds.through.objects.count(), "sectors": Deal.sectors.through.objects.count()}  # fmt: skip


def run_task(article_id: int) -> CaptureQueriesContext:
    with CaptureQueriesContext(connection) as ctx:
        article_process_task.apply(args=(article_id,))
    assert Article.objects.get(pk=article_id).status == ArticleStatus.EXTRACTED
    return ctx


def listing(ctx: CaptureQueriesContext) -> str:
    return f"{len(ctx)} queries:\n" + "\n".join(f"{i + 1:>3}. {q['sql'][:300]}" for i, q in enumerate(ctx))


@pytest.fixture
def article() -> Article:
    return Article.objects.create(raw=TEXT.encode(), filename="invented.txt", content_hash="1" * 64)


@pytest.mark.xfail(strict=True, reason="65 queries before the bulk writes of issue 16")
def test_an_article_that_creates_a_new_deal_takes_at_most_twenty_queries(article):
    ctx = run_task(article.pk)
    deal = Deal.objects.get()
    # The article did create everything a new deal has, so the count covers the whole write path.
    assert deal.parties.count() == 2 and Company.objects.count() == 2
    assert CompanyAlias.objects.count() > 2
    assert deal.kinds.exists() and deal.sectors.exists() and deal.amounts.count() == 1
    assert deal.sources.get().article_id == article.pk and deal.evidence.exists()
    assert deal.source_count == 1 and deal.usd_total == 120_000_000
    assert Company.history.count() == 2 and Deal.history.count() == 1 and Amount.history.count() == 1
    assert CompanyAlias.history.count() == CompanyAlias.objects.count()
    assert DealParty.history.count() == 2
    assert len(ctx) <= MAX_QUERIES, listing(ctx)


@pytest.mark.xfail(strict=True, reason="36 queries before the bulk writes of issue 16")
def test_running_the_same_article_again_adds_no_rows_within_the_same_budget(article):
    run_task(article.pk)
    before = rows()
    # What article_retry does, without queueing a message: the next run re-extracts from the stored bytes.
    Article.objects.filter(pk=article.pk).update(status=ArticleStatus.RECEIVED)
    ctx = run_task(article.pk)
    assert rows() == before
    deal = Deal.objects.get()
    assert deal.source_count == 1 and deal.usd_total == 120_000_000
    assert len(ctx) <= MAX_QUERIES, listing(ctx)
