"""Review is the only door to the public: a later article about an approved deal brings its
source, quotes, amount and new names, and none of them is public until a reviewer accepts it."""

import csv
import io

import pytest
from django.contrib.auth.models import User

from deals.models import CompanyAlias, Deal, DealSource, ReviewStatus
from deals.services import deal_approve, deal_source_accept, deal_source_refuse, draft_upsert
from tests.factories import TEXT, article, result

pytestmark = pytest.mark.django_db

LATER = TEXT.replace("€50m", "€80m") + " Invented Robotics, also known as Erfundene Robotik GmbH, confirmed."


def _later_result() -> dict:
    r = result(value="80000000", title="A title from the unreviewed article")
    r["deals"][0]["parties"][0]["aliases"] = ["Erfundene Robotik GmbH"]
    r["deals"][0]["evidence"] = [{"field": "amounts", "start": 0, "end": 12, "text": "QUOTE-FROM-LATER-ARTICLE"}]
    return r


@pytest.fixture
def approved_with_a_later_article():
    user = User.objects.create_user("reviewer")
    (deal,) = draft_upsert(article=article(), result=result())
    deal_approve(deal=deal, user=user)
    later = article(LATER, n=2)
    later.url = "https://news.example.org/unreviewed-report"
    later.save()
    (again,) = draft_upsert(article=later, result=_later_result())
    assert again.pk == deal.pk  # same parties, kind and date: the same deal
    return deal, later, user


def _everything_public(client, deal) -> str:
    company = deal.parties.get(company__name="Invented Robotics Ltd").company
    pages = [
        client.get(f"/deals/{deal.pk}/"),
        client.get(f"/companies/{company.pk}/"),
        client.get("/deals/", {"q": "Erfundene"}),
        client.get("/deals/", {"export": "csv"}),
        client.get("/stats/"),
    ]
    assert all(p.status_code == 200 for p in pages)
    return "\n".join(b"".join(p.streaming_content).decode() if p.streaming else p.content.decode() for p in pages)


def test_a_later_article_about_an_approved_deal_shows_nowhere_until_accepted(client, approved_with_a_later_article):
    deal, later, _ = approved_with_a_later_article
    public = _everything_public(client, deal)
    assert "unreviewed-report" not in public
    assert "QUOTE-FROM-LATER-ARTICLE" not in public
    assert "Erfundene Robotik" not in public
    assert "A title from the unreviewed article" not in public
    assert "80,000,000" not in public and "80000000" not in public
    deal.refresh_from_db()
    assert deal.source_count == 1
    assert DealSource.objects.get(deal=deal, article=later).accepted is False
    assert CompanyAlias.objects.get(name="Erfundene Robotik GmbH").accepted is False


def test_the_search_does_not_find_a_deal_by_an_unreviewed_name(client, approved_with_a_later_article):
    response = client.get("/deals/", {"q": "Erfundene"})
    assert "Invented Robotics" not in response.content.decode().split("<main", 1)[-1]


def test_accepting_the_source_publishes_it_with_its_quotes_and_names(client, approved_with_a_later_article):
    deal, later, user = approved_with_a_later_article
    deal_source_accept(source=DealSource.objects.get(deal=deal, article=later), user=user)
    public = _everything_public(client, deal)
    assert "unreviewed-report" in public
    assert "QUOTE-FROM-LATER-ARTICLE" in public
    assert "Erfundene Robotik" in public
    deal.refresh_from_db()
    assert deal.source_count == 2
    rows = list(csv.DictReader(io.StringIO(b"".join(client.get("/deals/", {"export": "csv"}).streaming_content)
                                           .decode().lstrip("\ufeff"))))  # fmt: skip
    assert "https://news.example.org/unreviewed-report" in rows[0]["sources"]


def test_refusing_the_source_removes_it_and_its_quotes(client, approved_with_a_later_article):
    deal, later, user = approved_with_a_later_article
    deal_source_refuse(source=DealSource.objects.get(deal=deal, article=later), user=user)
    assert not DealSource.objects.filter(deal=deal, article=later).exists()
    assert not deal.evidence.filter(article=later).exists()
    assert later.__class__.objects.filter(pk=later.pk).exists()  # the article itself is kept


def test_approving_a_draft_accepts_what_its_own_article_said(client):
    user = User.objects.create_user("reviewer")
    art = article()
    r = result()
    r["deals"][0]["parties"][0]["aliases"] = ["InvRob Werke"]
    (deal,) = draft_upsert(article=art, result=r)
    assert not CompanyAlias.objects.get(name="InvRob Werke").accepted
    deal_approve(deal=deal, user=user)
    assert CompanyAlias.objects.get(name="InvRob Werke").accepted
    assert Deal.objects.get(pk=deal.pk).review_status == ReviewStatus.APPROVED
    assert deal.evidence.filter(accepted=True).count() == deal.evidence.count() > 0


def test_a_viewer_cannot_accept_a_pending_source(client, approved_with_a_later_article):
    from django.contrib.auth.models import Group

    deal, later, _ = approved_with_a_later_article
    viewer = User.objects.create_user("viewer", password="pw-for-test-only", is_staff=True)
    viewer.groups.add(Group.objects.get(name="viewers"))
    client.force_login(viewer)
    source = DealSource.objects.get(deal=deal, article=later)
    client.post("/admin/deals/dealsource/", {"action": "accept_sources", "_selected_action": [source.pk]})
    source.refresh_from_db()
    assert source.accepted is False
