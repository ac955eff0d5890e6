"""Receive → process → drafts, through the real services (tasks run in-process here)."""

from pathlib import Path

import pytest
from django.test import override_settings

from deals.models import Amount, Company, Deal, DealSource, Evidence, ReviewStatus
from deals.services import deal_approve, deal_mark_human_set
from sources.models import Article, ArticleStatus
from sources.services import ArticleRefused, article_process, article_receive, article_retry

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_process_tasks")]
DEMO = Path(__file__).resolve().parents[2] / "demo" / "articles"


def receive(name: str) -> Article:
    return article_receive(raw=(DEMO / name).read_bytes(), filename=name).article


def counts():
    return (Article.objects.count(), Deal.objects.count(), Company.objects.count(), DealSource.objects.count(),
            Amount.objects.count(), Evidence.objects.count())  # fmt: skip


def test_an_article_becomes_a_draft_with_parties_amounts_and_evidence():
    article = receive("ko-demo-battery-jv.txt")
    article.refresh_from_db()
    assert article.status == ArticleStatus.EXTRACTED, article.last_error
    [deal] = Deal.objects.filter(sources__article=article)
    assert deal.review_status == ReviewStatus.DRAFT
    assert {p.company.country.code for p in deal.parties.select_related("company")} == {"KR", "DE"}
    assert deal.amounts.filter(currency="EUR", usd_value__isnull=False, usd_rate__isnull=False).exists()
    assert deal.joint_venture.company.name == "한뮐소재"
    for ev in Evidence.objects.filter(deal=deal):
        assert article.text[ev.start : ev.end] == ev.text
    assert deal.source_count == 1


def test_ingesting_the_same_article_twice_changes_nothing():
    receive("ko-demo-battery-jv.txt")
    before = counts()
    again = article_receive(raw=(DEMO / "ko-demo-battery-jv.txt").read_bytes(), filename="copy.txt")
    assert not again.created
    assert counts() == before


def test_re_running_extraction_never_duplicates_rows():
    article = receive("ko-demo-battery-jv.txt")
    before = counts()
    for _ in range(2):
        article_retry(article_id=article.pk)
    assert counts() == before


def test_a_reviewer_edit_survives_re_extraction():
    article = receive("en-demo-chip-investment.txt")
    deal = Deal.objects.get(sources__article=article)
    deal.title = "Veldhoven plant in Yongin (checked)"
    deal.save()
    deal_mark_human_set(deal=deal, fields=["title"])
    article_retry(article_id=article.pk)
    deal.refresh_from_db()
    assert deal.title == "Veldhoven plant in Yongin (checked)"


def test_an_approved_deal_only_gains_sources():
    article = receive("en-demo-chip-investment.txt")
    deal = Deal.objects.get(sources__article=article)
    deal_approve(deal=deal, user=None)
    Deal.objects.filter(pk=deal.pk).update(title="Approved title")
    article_retry(article_id=article.pk)
    deal.refresh_from_db()
    assert deal.title == "Approved title" and deal.review_status == ReviewStatus.APPROVED


def test_a_second_report_of_the_same_deal_attaches_as_a_source():
    first = receive("en-demo-chip-investment.txt")
    text = (DEMO / "en-demo-chip-investment.txt").read_text().replace("Tech Trade Weekly", "Chip Industry Times")
    second = article_receive(raw=text.encode(), filename="second.txt").article
    assert first.pk != second.pk
    deal = Deal.objects.get(sources__article=first)
    assert DealSource.objects.filter(deal=deal, article=second).exists()
    deal.refresh_from_db()
    assert deal.source_count == 2
    assert Deal.objects.count() == 1
    assert Company.objects.filter(aliases__name="Veldhoven Instruments B.V.").count() == 1


@pytest.mark.parametrize(
    ("raw", "reason"),
    [(b"", "empty"), (bytes(range(256)) * 40, "binary"), (b"\x00\x01\x02\x03garbage" * 300, "binary")],
)
def test_bad_input_ends_failed_with_a_reason_and_keeps_its_bytes(raw, reason):
    article = article_receive(raw=raw, filename="bad.bin").article
    article.refresh_from_db()
    assert article.status == ArticleStatus.FAILED
    assert reason in article.last_error and article.last_error
    assert bytes(article.raw) == raw


@override_settings(ARTICLE_MAX_BYTES=1000)
def test_an_article_over_the_size_limit_is_refused_with_a_clear_message():
    with pytest.raises(ArticleRefused, match="over the article size limit"):
        article_receive(raw=b"x" * 1001)
    assert Article.objects.count() == 0


def test_a_processed_article_is_not_claimed_again():
    article = receive("ko-demo-licence.txt")
    assert article_process(article_id=article.pk, token="another") == "skipped"
