"""Reviewers' decisions as training pages: an approved deal as the reviewer left it is the gold of
its article, an article whose deal was rejected teaches that it holds none. Invented articles."""

import datetime as dt

import pytest
from django.contrib.auth.models import User

from deals.learning import reviewed_pages
from deals.models import DecidedBy
from deals.services import deal_approve, deal_reject, draft_upsert
from sources.extraction import extract_text, training
from sources.models import Article, ArticleStatus

pytestmark = pytest.mark.django_db

SIGNED = ("SEOUL, May 4, 2026 - Korea's Hanbit Materials Co., Ltd. signed a joint venture agreement with Nordvik "
          "Robotics AB of Sweden on Monday, the companies said.")  # fmt: skip
RUMOUR = ("BUSAN, June 2, 2026 - Veldhoven Instruments B.V. signed a memorandum of understanding with Busan "
          "Metropolitan City on Tuesday.")  # fmt: skip


def _draft(text: str, n: int):
    result = extract_text(text).to_dict()
    art = Article.objects.create(raw=text.encode(), content_hash=f"{n:064x}", text=text, language="en",
                                 status=ArticleStatus.EXTRACTED, published_on=dt.date(2026, 5, 4))  # fmt: skip
    [deal] = draft_upsert(article=art, result=result)
    return art, deal


def test_reviewed_articles_become_pages_with_the_reviewers_corrections_as_gold():
    rita = User.objects.create_user("rita", is_staff=True)
    signed, deal = _draft(SIGNED, 1)
    removed = deal.parties.order_by("id").last()
    kept = {p.company.name for p in deal.parties.exclude(pk=removed.pk)}
    removed.delete()  # the reviewer's correction: one party was wrong
    deal_approve(deal=deal, user=rita)
    rumour, other = _draft(RUMOUR, 2)
    deal_reject(deal=other, user=rita, reason="not a deal")

    pages = {p.name: p for p in reviewed_pages()}
    assert set(pages) == {f"review-{signed.pk}", f"review-{rumour.pk}"}
    gold = pages[f"review-{signed.pk}"].gold
    assert {names[0] for names in ([p["names"][0]] for d in gold["deals"] for p in d["parties"])} == kept
    assert pages[f"review-{rumour.pk}"].gold["deals"] == []
    # and the pages train: the corrected party is a negative example now
    decider = training.train(list(pages.values()))
    assert "party" in decider.models


def test_the_demo_loaders_decisions_teach_nothing():
    rita = User.objects.create_user("rita", is_staff=True)
    _, deal = _draft(SIGNED, 3)
    deal_approve(deal=deal, user=rita, decided_by=DecidedBy.DEMO)
    assert reviewed_pages() == []
