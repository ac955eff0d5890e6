"""Facet counts on the public listing: values that occur, counted under the other filters."""

import re

import pytest

from deals import facets
from deals.models import Deal, DealKind, DealParty, GovernmentBody, GovernmentInvolvement, Programme, ReviewStatus
from deals.services import deals_refresh_counts
from tests.deals.test_views import make_deal

pytestmark = pytest.mark.django_db


def options(html: str, name: str) -> dict[str, str]:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    return dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', select))


@pytest.fixture
def listing():
    for i, (country, kind) in enumerate([("DE", "investment"), ("DE", "joint_venture"), ("DE", "joint_venture"),
                                         ("FR", "joint_venture"), ("JP", "mou")]):  # fmt: skip
        deal = make_deal(f"Deal {i}", country=country, day=i + 1)
        deal.kinds.set([DealKind.objects.get_or_create(code=kind)[0]])
    hidden = make_deal("Hidden", status=ReviewStatus.DRAFT, country="FJ")
    hidden.kinds.set([DealKind.objects.get_or_create(code="licensing")[0]])
    body = GovernmentBody.objects.create(name="Invented Agency", country="KR")
    secret = Programme.objects.create(name="Invented draft-only scheme", body=body)
    GovernmentInvolvement.objects.create(deal=hidden, body=body, programme=secret, role="funder")
    deals_refresh_counts()


def test_each_facet_counts_the_deals_that_value_would_list_under_the_other_filters(client, listing):
    html = client.get("/deals/?investor_country=DE&kind=joint_venture").content.decode()
    approved = Deal.objects.filter(review_status=ReviewStatus.APPROVED)
    in_de = approved.filter(id__in=DealParty.objects.filter(company__country="DE").values("deal_id"))
    kinds = options(html, "kind")  # counted with the country filter, not the kind one
    for code, label in kinds.items():
        assert label.endswith(f"({in_de.filter(kinds__code=code).count():,})"), (code, label)
    assert set(kinds) == {"investment", "joint_venture"}
    jv = approved.filter(kinds__code="joint_venture")
    countries = options(html, "investor_country")
    assert set(countries) == {"DE", "FR"}
    assert countries["DE"].endswith(f"({jv.filter(parties__company__country='DE').count()})")


def test_drafts_never_reach_a_facet_value_or_count(client, listing):
    html = client.get("/deals/").content.decode()
    assert "FJ" not in options(html, "investor_country")
    assert "licensing" not in options(html, "kind")
    assert "Invented draft-only scheme" not in html
    assert sum(int(label.rsplit("(", 1)[1].rstrip(")")) for label in options(html, "kind").values()) == 5


def test_large_results_show_estimated_counts_marked_as_such(client, listing, monkeypatch):
    monkeypatch.setattr(facets, "EXACT_LIMIT", 0)
    html = client.get("/deals/?investor_country=DE").content.decode()
    kinds = options(html, "kind")
    assert kinds and all("≈" in label for label in kinds.values())
    assert "Invented draft-only scheme" not in html and "FJ" not in options(html, "investor_country")


def test_the_selected_value_stays_selectable_even_with_no_deal(client, listing):
    html = client.get("/deals/?investor_country=DE&destination_country=NZ").content.decode()
    assert 'value="NZ" selected' in html
