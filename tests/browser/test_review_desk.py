"""A reviewer's day in a real browser: log in, check a draft against its article, correct, approve."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User

from deals.groups import REVIEWERS
from deals.models import Amount, Deal, ReviewStatus
from deals.services import draft_upsert
from tests.factories import article, result

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reviewer_corrects_an_amount_approves_and_finds_the_deal_published(live_server, page):
    [deal] = draft_upsert(article=article(), result=result())
    user = User.objects.create_user("rita", password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name=REVIEWERS))

    page.goto(f"{live_server.url}/admin/login/?next=/admin/deals/deal/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.click(f"a[href='/admin/deals/deal/{deal.pk}/change/']")

    amount_mark = page.locator("mark.ev-amounts")
    assert amount_mark.first.inner_text() == "€50m"
    assert amount_mark.first.is_visible()
    assert page.locator("mark.evidence").count() >= 4

    page.fill("#id_amounts-0-value", "55000000")
    page.click("input[name=_continue]")
    assert "changed successfully" in page.locator(".messagelist").inner_text()

    # Issue 13, point 1: edit, tick Delete on a wrong party, and click Approve without saving first.
    page.select_option("#id_destination_country", "DE")
    wrong = deal.parties.order_by("id").last()
    row = page.locator(f"input[name$='-id'][value='{wrong.pk}']").get_attribute("name").rsplit("-", 1)[0]
    page.check(f"input[name='{row}-DELETE']")
    page.click("button[name=_approve]")
    page.wait_for_load_state()
    deal.refresh_from_db()
    assert deal.review_status == ReviewStatus.APPROVED
    assert deal.destination_country == "DE"
    assert not deal.parties.filter(pk=wrong.pk).exists()
    assert "amounts" in deal.human_set_fields
    assert Amount.objects.get(deal=deal).value == Decimal("55000000")

    page.goto(f"{live_server.url}/deals/")
    page.click(f"a[href='/deals/{deal.pk}/']")
    content = page.content()
    assert "EUR 55 m" in content
    assert "€50m" not in content  # the old amount's words back the deal no more
    assert Deal.objects.filter(review_status=ReviewStatus.DRAFT).count() == 0
