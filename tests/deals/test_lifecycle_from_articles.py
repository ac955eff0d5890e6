"""A deal's life told in three articles, read by the real extractor: an MOU, then the final
contract, then one party's withdrawal. One deal, a signed-stage proposal and a cancellation
proposal; nothing public changes before a reviewer accepts. Companies and articles invented."""

import datetime as dt

import pytest
from django.contrib.auth.models import User

from deals.models import Deal, Lifecycle, ProposalField, UpdateProposal
from deals.services import deal_approve, draft_upsert
from sources.extraction import extract_text
from sources.models import Article, ArticleStatus

pytestmark = pytest.mark.django_db

STORIES = {
    "en": [
        (
            "SEOUL, March 3, 2025 - Korea's Hanbit Cells Co., Ltd. and Sweden's Nordvik Energy AB signed a memorandum "
            "of understanding on Monday to set up a battery joint venture in Ulsan, the two companies said.",
            dt.date(2025, 3, 3),
        ),
        (
            "SEOUL, September 10, 2025 - Hanbit Cells Co., Ltd. and Nordvik Energy AB signed a final contract on "
            "Wednesday for their battery joint venture in Ulsan, six months after their memorandum of understanding. "
            "Nordvik Energy AB will invest $120 million in the venture.",
            dt.date(2025, 9, 10),
        ),
        (
            "SEOUL, February 2, 2026 - Nordvik Energy AB has withdrawn from its joint venture agreement with Hanbit "
            "Cells Co., Ltd., the Swedish company said on Monday, citing weak demand.",
            dt.date(2026, 2, 2),
        ),
    ],
    "ko": [
        (
            "[울산=가나일보] 2025년 3월 3일 – 한빛셀㈜과 스웨덴의 노르드빅에너지사가 3일 울산시청에서 배터리 합작법인 설립을 위한 "
            "양해각서(MOU)를 체결했다.",
            dt.date(2025, 3, 3),
        ),
        (
            "[울산=가나일보] 2025년 9월 10일 – 한빛셀㈜과 스웨덴의 노르드빅에너지사가 10일 배터리 합작법인 설립을 위한 본계약을 체결했다. "
            "노르드빅에너지사는 합작법인에 1억2천만달러를 투자한다.",
            dt.date(2025, 9, 10),
        ),
        (
            "[울산=가나일보] 2026년 2월 2일 – 스웨덴의 노르드빅에너지사가 한빛셀㈜과 맺은 배터리 합작법인 계약을 해지하고 사업에서 "
            "철수했다고 2일 밝혔다.",
            dt.date(2026, 2, 2),
        ),
    ],
}


def _read(text: str, n: int, published: dt.date) -> tuple[Article, dict]:
    result = extract_text(text).to_dict()
    art = Article.objects.create(raw=text.encode(), content_hash=f"{n:064x}", text=text, language=result["language"],
                                 status=ArticleStatus.EXTRACTED, published_on=published)  # fmt: skip
    return art, result


@pytest.mark.parametrize("language", sorted(STORIES))
def test_mou_then_final_contract_then_withdrawal_is_one_deal_with_a_signed_stage_and_a_cancellation(language):
    reviewer = User.objects.create_user("rita", is_staff=True)
    (mou_text, mou_day), (contract_text, contract_day), (exit_text, exit_day) = STORIES[language]

    art, result = _read(mou_text, 1, mou_day)
    [deal] = draft_upsert(article=art, result=result)
    deal = deal_approve(deal=deal, user=reviewer)
    assert deal.lifecycle == Lifecycle.MOU_SIGNED

    art, result = _read(contract_text, 2, contract_day)
    assert [d.get("stage") for d in result["deals"]] == [Lifecycle.AGREEMENT_SIGNED]
    draft_upsert(article=art, result=result)
    art, result = _read(exit_text, 3, exit_day)
    assert result["deals"] == []
    assert [u["stage"] for u in result["updates"]] == [Lifecycle.CANCELLED]
    draft_upsert(article=art, result=result)

    assert Deal.objects.count() == 1
    stages = [p.value.get("stage") for p in UpdateProposal.objects.filter(deal=deal, field=ProposalField.LIFECYCLE)]
    assert stages == [Lifecycle.AGREEMENT_SIGNED, Lifecycle.CANCELLED]
    deal.refresh_from_db()
    assert deal.lifecycle == Lifecycle.MOU_SIGNED  # proposals only: a reviewer decides
