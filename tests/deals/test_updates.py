"""Deals that move: later articles about a known deal propose stages and changes, a reviewer
accepts or rejects each, and the deal keeps a dated timeline. Articles and companies invented."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User

from deals.models import Deal, DealSource, Lifecycle, ProposalField, ProposalStatus, ReviewStatus, UpdateProposal
from deals.services import deal_approve, draft_upsert, proposal_accept, proposal_reject
from sources.extraction import extract_text
from sources.models import Article, ArticleStatus

pytestmark = pytest.mark.django_db

PARTIES = [{"name": "Hanbit Cells Co., Ltd.", "aliases": ["한빛셀"], "country": "KR", "role": "investee"},
           {"name": "Nordvik Energy AB", "aliases": [], "country": "SE", "role": "investor"}]  # fmt: skip


def article(text: str, n: int, published: dt.date) -> Article:
    return Article.objects.create(raw=text.encode(), content_hash=f"{n:064x}", text=text, language="en",
                                  status=ArticleStatus.EXTRACTED, published_on=published)  # fmt: skip


def report(kinds, date, value=None, stage=None, quote="signed") -> dict:
    item = {"title": "Hanbit Cells – Nordvik Energy", "kinds": kinds, "parties": PARTIES, "date": date,
            "amounts": [{"value": value, "currency": "USD", "group": 0, "text": f"${value}"}] if value else [],
            "evidence": [{"field": "kinds", "start": 0, "end": len(quote), "text": quote}], "confidence": 0.8}  # fmt: skip
    if stage:
        item["stage"] = stage
    return {"language": "en", "extractor_version": "test", "deals": [item]}


@pytest.fixture
def reviewer():
    return User.objects.create_user("rita", is_staff=True)


@pytest.fixture
def mou(reviewer) -> Deal:
    [deal] = draft_upsert(article=article("An MOU was signed.", 1, dt.date(2025, 3, 4)),
                          result=report(["mou"], "2025-03-03", quote="MOU was signed"))  # fmt: skip
    return deal_approve(deal=deal, user=reviewer)


def test_mou_then_signed_then_cancelled_gives_one_deal_three_proposals_and_a_three_stage_timeline(mou, reviewer):
    assert [s.stage for s in mou.stages.all()] == [Lifecycle.MOU_SIGNED]
    signed = article("The investment agreement was signed.", 2, dt.date(2025, 9, 11))
    draft_upsert(article=signed, result=report(["investment"], "2025-09-10", value="120000000",
                                               quote="investment agreement was signed"))  # fmt: skip
    ended = article("Nordvik Energy AB pulled out of its agreement with Hanbit Cells.", 3, dt.date(2026, 2, 2))
    draft_upsert(article=ended, result={"language": "en", "deals": [], "updates": [
        {"stage": "cancelled", "parties": PARTIES, "text": "pulled out of its agreement"}]})  # fmt: skip

    assert Deal.objects.count() == 1
    proposals = list(UpdateProposal.objects.filter(deal=mou).order_by("id"))
    assert [(p.field, p.value.get("stage")) for p in proposals] == [
        (ProposalField.LIFECYCLE, Lifecycle.AGREEMENT_SIGNED), (ProposalField.AMOUNT, None),
        (ProposalField.LIFECYCLE, Lifecycle.CANCELLED)]  # fmt: skip
    mou.refresh_from_db()
    assert mou.lifecycle == Lifecycle.MOU_SIGNED  # nothing changes before a reviewer accepts
    assert not DealSource.objects.get(deal=mou, article=signed).accepted

    for p in proposals:
        proposal_accept(proposal=p, user=reviewer)
    mou.refresh_from_db()
    assert [(s.stage, s.on) for s in mou.stages.order_by("on")] == [
        (Lifecycle.MOU_SIGNED, dt.date(2025, 3, 3)), (Lifecycle.AGREEMENT_SIGNED, dt.date(2025, 9, 10)),
        (Lifecycle.CANCELLED, dt.date(2026, 2, 2))]  # fmt: skip
    assert mou.lifecycle == Lifecycle.CANCELLED
    assert [a.value for a in mou.amounts.all()] == [120_000_000]
    assert DealSource.objects.get(deal=mou, article=signed).accepted
    assert "update accepted from article" in mou.history.first().history_change_reason


def test_a_second_article_repeating_a_known_stage_adds_only_a_source(mou):
    again = article("The MOU was signed, another paper says.", 4, dt.date(2025, 3, 5))
    draft_upsert(article=again, result=report(["mou"], "2025-03-03"))
    assert Deal.objects.count() == 1
    assert not UpdateProposal.objects.exists()
    assert DealSource.objects.filter(deal=mou).count() == 2


def test_a_cancellation_of_an_unknown_deal_stays_a_negative():
    text = ("Seoul, 2 February 2026 — Invented Motors Corp. has pulled out of its joint venture agreement with "
            "Korean firm Gaon Robotics Co., Ltd., the companies said.")  # fmt: skip
    result = extract_text(text).to_dict()
    assert not result["deals"] and result["updates"]  # the extractor read the end of an agreement
    made = draft_upsert(article=article(text, 5, dt.date(2026, 2, 2)), result=result)
    assert made == [] and not Deal.objects.exists() and not UpdateProposal.objects.exists()


def test_an_extracted_cancellation_of_a_known_deal_becomes_a_proposal(mou):
    text = ("Stockholm, 2 February 2026 — Nordvik Energy AB has pulled out of its joint venture agreement with "
            "Hanbit Cells Co., Ltd., the companies said.")  # fmt: skip
    result = extract_text(text).to_dict()
    draft_upsert(article=article(text, 6, dt.date(2026, 2, 2)), result=result)
    [proposal] = UpdateProposal.objects.filter(deal=mou)
    assert proposal.value["stage"] == Lifecycle.CANCELLED and "pulled out" in proposal.evidence


def test_a_proposal_on_a_field_a_reviewer_set_is_shown_as_a_conflict_and_changes_nothing_until_accepted(mou, reviewer):
    mou.human_set_fields = ["lifecycle"]
    mou.save(update_fields=["human_set_fields"])
    signed = article("The investment agreement was signed.", 7, dt.date(2025, 9, 11))
    draft_upsert(article=signed, result=report(["investment"], "2025-09-10"))
    [proposal] = UpdateProposal.objects.filter(deal=mou)
    assert proposal.conflict
    mou.refresh_from_db()
    assert mou.lifecycle == Lifecycle.MOU_SIGNED


def test_a_rejected_proposal_leaves_the_deal_alone(mou, reviewer):
    draft_upsert(article=article("Signed.", 8, dt.date(2025, 9, 11)), result=report(["investment"], "2025-09-10"))
    [proposal] = UpdateProposal.objects.filter(deal=mou)
    proposal_reject(proposal=proposal, user=reviewer)
    mou.refresh_from_db()
    assert mou.lifecycle == Lifecycle.MOU_SIGNED
    assert UpdateProposal.objects.get().status == ProposalStatus.REJECTED
    assert mou.review_status == ReviewStatus.APPROVED


def test_a_re_run_of_the_same_article_duplicates_no_proposal(mou):
    signed = article("Signed.", 9, dt.date(2025, 9, 11))
    for _ in range(2):
        draft_upsert(article=signed, result=report(["investment"], "2025-09-10", value="5000000"))
    assert UpdateProposal.objects.count() == 2  # the stage and the amount, once each


def test_the_public_page_shows_the_accepted_timeline_only(client, mou, reviewer):
    draft_upsert(article=article("Signed.", 10, dt.date(2025, 9, 11)), result=report(["investment"], "2025-09-10"))
    page = client.get(f"/deals/{mou.pk}/").content.decode()
    assert "Timeline" not in page  # one stage, and the proposed one is not public
    proposal_accept(proposal=UpdateProposal.objects.get(), user=reviewer)
    page = re.sub(r"<[^>]+>", "", client.get(f"/deals/{mou.pk}/").content.decode())  # the text, without the markup
    assert "MOU signed (2025-03-03) → Agreement signed (2025-09-10)" in page
    assert f"/deals/{mou.pk}/" in client.get("/deals/?lifecycle=agreement_signed").content.decode()
    assert f"/deals/{mou.pk}/" not in client.get("/deals/?lifecycle=mou_signed").content.decode()
