"""The review desk's side of screening, and the LEI on the public side."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse

from deals.groups import REVIEWERS
from deals.models import Deal, ReviewStatus
from deals.services import deal_approve, draft_upsert
from screening.models import MatchStatus, ScreeningMatch
from screening.services import company_lei_link, deals_screen, registry_suggestions
from tests.factories import article, result

from .conftest import FILES

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(client) -> User:
    user = User.objects.create_user("rita", password="pw-rita", is_staff=True)
    user.groups.add(Group.objects.get(name=REVIEWERS))
    client.force_login(user)
    return user


def flagged_draft(n: int = 1, name: str = "Nordvik Technologies LLC") -> Deal:
    data = result(title=f"Invented deal {n}")
    data["deals"][0]["parties"][0].update(name=name, country="RU")
    [deal] = draft_upsert(article=article(n=n), result=data)
    deals_screen(deal_ids=[deal.pk])
    return deal


def test_the_review_screen_flags_a_party_with_list_programme_score_and_both_names(sanctions, reviewer, client):
    deal = flagged_draft()
    page = client.get(reverse("admin:deals_deal_change", args=[deal.pk])).content.decode()
    assert "Sanctions screening: a party looks like a listed entity" in page
    row = page[page.index('id="screening-') :]
    for shown in ("Nordvik Technologies LLC", "test sanctions", "TEST-RUS", "<strong>100</strong>", "(Strong)"):
        assert shown in row[:3000], shown
    assert "Approve despite the open strong match (second confirmation)" in page


def test_approving_a_deal_with_an_open_strong_match_asks_for_a_second_confirmation(sanctions, reviewer, client):
    deal = flagged_draft()
    url = reverse("admin:deals_deal_approve", args=[deal.pk])
    response = client.post(url, follow=True)
    deal.refresh_from_db()
    assert deal.review_status == ReviewStatus.DRAFT
    assert "open strong screening match" in response.content.decode()
    client.post(url, {"screening_confirmed": "1"})
    deal.refresh_from_db()
    assert deal.review_status == ReviewStatus.APPROVED


def test_bulk_approval_holds_back_a_deal_with_an_open_strong_match(sanctions, reviewer, client):
    flagged, clean = flagged_draft(1), flagged_draft(2, name="Brightwater Robotics")
    client.post(reverse("admin:deals_deal_changelist"),
                {"action": "approve_selected", "_selected_action": [flagged.pk, clean.pk]})  # fmt: skip
    assert Deal.objects.get(pk=clean.pk).review_status == ReviewStatus.APPROVED
    assert Deal.objects.get(pk=flagged.pk).review_status == ReviewStatus.DRAFT


def test_a_reviewer_confirms_or_dismisses_a_flag_with_a_reason_and_then_approval_is_one_step(
    sanctions, reviewer, client
):
    deal = flagged_draft()
    match = ScreeningMatch.objects.get(company__deal_parties__deal=deal)
    decide = reverse("admin:screening_screeningmatch_decide", args=[match.pk])
    client.post(decide, {"decision": "dismissed", "reason": ""})
    match.refresh_from_db()
    assert match.status == MatchStatus.OPEN  # no reason, no decision
    back = reverse("admin:deals_deal_change", args=[deal.pk])
    response = client.post(decide, {"decision": "dismissed", "reason": "a namesake in Norway", "next": back})
    assert response.url == back
    match.refresh_from_db()
    assert (match.status, match.decided_by) == (MatchStatus.DISMISSED, reviewer)
    assert match.history.first().history_user == reviewer
    client.post(reverse("admin:deals_deal_approve", args=[deal.pk]))
    deal.refresh_from_db()
    assert deal.review_status == ReviewStatus.APPROVED


def test_the_drafts_list_filters_by_screening_state(sanctions, reviewer, client):
    flagged, clean = flagged_draft(1), flagged_draft(2, name="Brightwater Robotics")
    url = reverse("admin:deals_deal_changelist")

    def listed(state: str) -> set[int]:
        return set(client.get(url, {"screening": state}).context["cl"].result_list.values_list("pk", flat=True))

    assert listed("strong") == {flagged.pk} == listed("open")
    assert listed("clear") == {clean.pk}
    assert listed("confirmed") == set()


def test_a_viewer_cannot_decide_a_flag(sanctions, client):
    deal = flagged_draft()
    match = ScreeningMatch.objects.get(company__deal_parties__deal=deal)
    viewer = User.objects.create_user("victor", password="pw", is_staff=True)
    client.force_login(viewer)
    response = client.post(reverse("admin:screening_screeningmatch_decide", args=[match.pk]),
                           {"decision": "confirmed", "reason": "x"})  # fmt: skip
    assert response.status_code == 403
    match.refresh_from_db()
    assert match.status == MatchStatus.OPEN


def test_a_company_is_linked_to_its_lei_from_ranked_suggestions_and_the_public_sees_it(reviewer, client):
    call_command("registry_load", str(FILES / "lei-level1.csv"))
    data = result()
    data["deals"][0]["parties"][1].update(name="한빛소재")
    [deal] = draft_upsert(article=article(), result=data)
    company = deal.parties.get(company__name="한빛소재").company
    [suggestion] = registry_suggestions(company=company)
    assert suggestion.entity_id == "TEST0000000000NORD01" and suggestion.score == 100
    page = client.get(reverse("admin:deals_company_change", args=[company.pk])).content.decode()
    assert "TEST0000000000NORD01" in page and "주식회사 한빛소재" in page
    client.post(reverse("admin:screening_registryentity_link", args=[company.pk]), {"lei": "TEST0000000000NORD01"})
    company.refresh_from_db()
    assert company.lei_id == "TEST0000000000NORD01"
    assert company.history.first().history_change_reason == "LEI set to TEST0000000000NORD01"
    client.logout()
    assert client.get(reverse("company-detail", args=[company.pk])).status_code == 404  # a draft names it only
    deal_approve(deal=deal, user=reviewer)
    assert "TEST0000000000NORD01" in client.get(reverse("company-detail", args=[company.pk])).content.decode()
    csv = b"".join(client.get(reverse("deal-list"), {"export": "csv"}).streaming_content).decode()
    header, row = csv.lstrip("\ufeff").splitlines()[:2]
    assert header.endswith(",leis") and row.endswith(",TEST0000000000NORD01")
    api = client.get(f"/api/companies/{company.pk}/").json()
    assert api["lei"] == "TEST0000000000NORD01"
    assert client.get("/api/deals/").json()["results"][0]["leis"] == ["TEST0000000000NORD01"]
    company_lei_link(company=company, lei=None)
    assert "TEST0000000000NORD01" not in client.get(reverse("company-detail", args=[company.pk])).content.decode()


def test_save_and_approve_with_an_open_strong_match_saves_the_edits_and_waits_for_the_confirmation(
    sanctions, reviewer, client
):
    from tests.deals.test_review import _change_form_data

    deal = flagged_draft()
    url, data = _change_form_data(client, deal)
    data.update(place="Hamburg", _approve="1")
    response = client.post(url, data, follow=True)
    deal.refresh_from_db()
    assert deal.review_status == ReviewStatus.DRAFT and deal.place == "Hamburg"
    assert "Your edits are saved. A party has an open strong screening match" in response.content.decode()
    client.post(reverse("admin:deals_deal_approve", args=[deal.pk]), {"screening_confirmed": "1"})
    deal.refresh_from_db()
    assert deal.review_status == ReviewStatus.APPROVED
