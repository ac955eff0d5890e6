"""A reviewer takes one proposed change of a known deal and refuses another, in the browser."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User

from deals.groups import REVIEWERS
from deals.models import Lifecycle, ProposalField, ProposalStatus, UpdateProposal
from deals.services import deal_approve, draft_upsert
from tests.deals.test_updates import article, report

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reviewer_accepts_the_new_stage_and_rejects_the_new_amount(live_server, page):
    user = User.objects.create_user("rita", password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name=REVIEWERS))
    [deal] = draft_upsert(article=article("An MOU was signed.", 1, dt.date(2025, 3, 4)),
                          result=report(["mou"], "2025-03-03", value="10000000"))  # fmt: skip
    deal_approve(deal=deal, user=user)
    draft_upsert(article=article("The agreement was signed.", 2, dt.date(2025, 9, 11)),
                 result=report(["investment"], "2025-09-10", value="120000000"))  # fmt: skip
    stage = UpdateProposal.objects.get(field=ProposalField.LIFECYCLE)
    amount = UpdateProposal.objects.get(field=ProposalField.AMOUNT)

    page.goto(f"{live_server.url}/admin/login/?next=/admin/deals/deal/{deal.pk}/change/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.click(f"#proposal-{stage.pk} button[name=accept]")
    page.wait_for_selector(".messagelist")
    page.click(f"#proposal-{amount.pk} button[name=reject]")
    page.wait_for_selector(".messagelist")

    deal.refresh_from_db()
    stage.refresh_from_db()
    amount.refresh_from_db()
    assert (stage.status, amount.status) == (ProposalStatus.ACCEPTED, ProposalStatus.REJECTED)
    assert deal.lifecycle == Lifecycle.AGREEMENT_SIGNED
    assert [a.value for a in deal.amounts.all()] == [10_000_000]
    assert "Agreement signed (2025-09-10)" in page.locator("body").inner_text()
