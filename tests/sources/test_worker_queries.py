"""Round trips of the worker's task body for one article (issue 16): a worker's throughput is set by
its queries to PostgreSQL, not by extraction. Transactional, so that the task's own transaction is
a real one, as in a worker (a test transaction would turn it into counted savepoints)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.text import slugify

from deals.models import (
    SECTOR_LABELS,
    Amount,
    Company,
    CompanyAlias,
    Deal,
    DealKind,
    DealKindCode,
    DealParty,
    DealSource,
    Evidence,
    GovernmentInvolvement,
    JointVenture,
    Sector,
)
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


@pytest.fixture(autouse=True)
def _screening_apart():
    """The drafts' sanctions screening is a task of its own, queued on commit; on the embedded
    default (tasks in-process) it would run inside this count, which is the article task's alone."""
    from deals.signals import drafts_written
    from screening.tasks import drafts_written_screen

    drafts_written.disconnect(dispatch_uid="screening.drafts_written")
    yield
    drafts_written.connect(drafts_written_screen, dispatch_uid="screening.drafts_written")


@pytest.fixture
def article() -> Article:
    return Article.objects.create(raw=TEXT.encode(), filename="invented.txt", content_hash="1" * 64)


@pytest.fixture
def taxonomy() -> None:
    """The kinds as the migration seeds them (a transactional test's flush removed them) and the
    taxonomy's sectors as earlier articles left them: what every article but the first few meets."""
    DealKind.objects.bulk_create([DealKind(code=c) for c in DealKindCode.values], ignore_conflicts=True)
    Sector.objects.bulk_create([Sector(slug=slugify(n), name=n) for n in SECTOR_LABELS], ignore_conflicts=True)


def assert_a_whole_new_deal(article: Article) -> Deal:
    """The article created everything a new deal has, so the count covers the whole write path."""
    deal = Deal.objects.get()
    assert deal.parties.count() == 2 and Company.objects.count() == 2
    assert CompanyAlias.objects.count() == 3  # Quelmar Materials GmbH, Quelmar; Tovaro Co., Ltd.
    assert list(deal.kinds.values_list("code", flat=True)) == ["investment"]
    assert sorted(deal.sectors.values_list("slug", flat=True)) == ["advanced-materials", "batteries"]
    assert deal.amounts.get().usd_value == 120_000_000
    assert deal.sources.get().article_id == article.pk and deal.evidence.count() == 5
    assert deal.source_count == 1 and deal.usd_total == 120_000_000
    # History rows for every model that keeps them, with the worker's reason.
    assert Company.history.count() == 2 and CompanyAlias.history.count() == 3 and Deal.history.count() == 1
    assert DealParty.history.count() == 2 and Amount.history.count() == 1
    assert set(DealParty.history.values_list("history_change_reason", flat=True)) == {
        deal.history.get().history_change_reason
    }
    return deal


def test_an_article_that_creates_a_new_deal_takes_at_most_twenty_queries(article, taxonomy):
    ctx = run_task(article.pk)
    assert_a_whole_new_deal(article)
    assert len(ctx) <= MAX_QUERIES, listing(ctx)


def test_on_an_empty_database_the_kinds_and_sectors_are_created_with_four_queries_more(article):
    DealKind.objects.all().delete()
    ctx = run_task(article.pk)
    assert_a_whole_new_deal(article)
    assert DealKind.objects.count() == 1 and Sector.objects.count() == 2
    assert len(ctx) <= MAX_QUERIES + 4, listing(ctx)


def test_running_the_same_article_again_adds_no_rows_within_the_same_budget(article, taxonomy):
    run_task(article.pk)
    before = rows(), Deal.history.count(), Amount.history.count()
    # What article_retry does, without queueing a message: the next run re-extracts from the stored bytes.
    Article.objects.filter(pk=article.pk).update(status=ArticleStatus.RECEIVED)
    ctx = run_task(article.pk)
    # Nothing new but the deal's history row of the re-run; the unchanged amount is not rewritten.
    assert (rows(), Deal.history.count() - 1, Amount.history.count()) == before
    deal = Deal.objects.get()
    assert deal.source_count == 1 and deal.usd_total == 120_000_000
    assert len(ctx) <= MAX_QUERIES, listing(ctx)
