"""The "investor country" filter is the investing side's country; "any party's country" is its own filter."""

import re

import feedparser
import pytest

from deals.models import INVESTOR_ROLES, Company, Deal, DealParty, ReviewStatus
from deals.services import deals_refresh_counts
from tests.deals.test_facets import options
from tests.deals.test_views import make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def korean_sides():
    """A Korean investor in one deal, a Korean investee (of a German investor) in another."""
    investing = make_deal("Korean investor deal", country="KR", day=1)
    invested = make_deal("Korean investee deal", country="DE", day=2)
    DealParty.objects.create(deal=invested, company=Company.objects.create(name="Invented Hanul Chem", country="KR"),
                             role="investee")  # fmt: skip
    make_deal("French only deal", country="FR", day=3)
    deals_refresh_counts()
    return investing, invested


def direct(role_filter: bool) -> set[int]:
    parties = DealParty.objects.filter(company__country="KR", deal__review_status=ReviewStatus.APPROVED)
    if role_filter:
        parties = parties.filter(role__in=INVESTOR_ROLES)
    return set(parties.values_list("deal_id", flat=True))


def listed(client, query: str) -> set[int]:
    html = client.get(f"/deals/?{query}").content.decode()
    return {int(pk) for pk in re.findall(r'href="/deals/(\d+)/"', html)}


def test_investor_country_lists_deals_whose_investing_side_has_that_country(client, korean_sides):
    investing, invested = korean_sides
    assert direct(role_filter=True) == {investing.pk}
    assert listed(client, "investor_country=KR") == direct(role_filter=True)
    api = client.get("/api/deals/?investor_country=KR").json()["results"]
    assert {r["id"] for r in api} == direct(role_filter=True)
    feed = feedparser.parse(client.get("/deals/feed/?investor_country=KR").content)
    assert {int(e.link.rstrip("/").rsplit("/", 1)[1]) for e in feed.entries} == direct(role_filter=True)
    csv_body = b"".join(client.get("/deals/?investor_country=KR&export=csv").streaming_content).decode()
    assert "Korean investor deal" in csv_body and "Korean investee deal" not in csv_body


def test_any_partys_country_lists_every_deal_with_a_party_of_that_country(client, korean_sides):
    assert listed(client, "party_country=KR") == direct(role_filter=False) == {d.pk for d in korean_sides}
    api = client.get("/api/deals/?party_country=KR").json()["results"]
    assert {r["id"] for r in api} == direct(role_filter=False)


def test_the_investor_country_dropdown_counts_agree_with_the_stats_map(client, korean_sides):
    html = client.get("/deals/").content.decode()
    investor = options(html, "investor_country")
    assert investor["KR"].endswith(f"({len(direct(role_filter=True))})")
    assert options(html, "party_country")["KR"].endswith(f"({len(direct(role_filter=False))})")
    stats = client.get("/stats/").context["data"]["charts"]
    counts = next(c for c in stats if c["id"] == "investor-map")["counts"]
    assert counts["KR"] == len(direct(role_filter=True))
    assert Deal.objects.count() == 3
