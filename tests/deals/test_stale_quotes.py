"""A reviewer's correction removes the public quotes of the values removed, not of those that stayed."""

import datetime as dt

import pytest

from deals.models import DealKind, Evidence, GovernmentBody, GovernmentInvolvement
from deals.services import deal_approve, deal_mark_human_set, draft_upsert
from sources.models import Article, ArticleStatus

pytestmark = pytest.mark.django_db

TEXT = ("가상전자와 독일 Invented Tools GmbH는 충청북도와 투자 협약을 맺고 합작법인을 세운다. "
        "협약식은 가상시청에서 열렸다.")  # fmt: skip


def quote(field: str, fragment: str) -> dict:
    start = TEXT.index(fragment)
    return {"field": field, "start": start, "end": start + len(fragment), "text": fragment}


@pytest.fixture
def approved_after_corrections():
    art = Article.objects.create(raw=TEXT.encode(), content_hash="c" * 64, text=TEXT, title="가상 기사", language="ko",
                                 status=ArticleStatus.EXTRACTED, published_on=dt.date(2025, 3, 4))  # fmt: skip
    item = {
        "title": "가상전자 – Invented Tools", "kinds": ["investment", "joint_venture"],
        "parties": [{"name": "가상전자", "aliases": [], "country": "KR", "role": "jv_parent"},
                    {"name": "Invented Tools GmbH", "aliases": [], "country": "DE", "role": "jv_parent"}],
        "amounts": [], "date": "2025-03-03", "destination_country": "KR", "sectors": [], "confidence": 0.7,
        "government": [{"name": "충청북도", "aliases": [], "country": "KR", "role": "signatory"},
                       {"name": "가상시청", "aliases": [], "country": "KR", "role": "host"}],
        "evidence": [quote("government", "충청북도"), quote("government", "가상시청"),
                     quote("kinds", "투자 협약"), quote("kinds", "합작법인")],
    }  # fmt: skip
    [deal] = draft_upsert(article=art, result={"language": "ko", "extractor_version": "test-1", "deals": [item]})
    assert Evidence.objects.filter(deal=deal).count() == 4
    # The reviewer deletes the venue row and unticks "investment": the deal is still a joint venture.
    venue = GovernmentBody.objects.get(name="가상시청")
    GovernmentInvolvement.objects.filter(deal=deal, body=venue).delete()
    deal.kinds.remove(DealKind.objects.get(code="investment"))
    deal_mark_human_set(deal=deal, fields=["government", "kinds"])
    deal_approve(deal=deal, user=None)
    return deal


def test_deleting_a_government_row_keeps_the_quote_of_the_body_that_stayed(client, approved_after_corrections):
    page = client.get(f"/deals/{approved_after_corrections.pk}/").content.decode()
    assert "“충청북도”" in page
    assert "“가상시청”" not in page


def test_unticking_a_kind_keeps_the_quote_of_the_kind_that_stayed(client, approved_after_corrections):
    page = client.get(f"/deals/{approved_after_corrections.pk}/").content.decode()
    assert "“합작법인”" in page
    assert "“투자 협약”" not in page
    assert Evidence.objects.filter(deal=approved_after_corrections, text="투자 협약").exists()  # kept on record
