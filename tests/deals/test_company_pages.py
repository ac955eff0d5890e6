"""Company and programme pages and their API endpoints: each approved deal once, read by index
probes (``id IN (... UNION ...)``), never a join of every party row."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.models import (
    Company,
    DealParty,
    GovernmentBody,
    GovernmentInvolvement,
    JointVenture,
    Programme,
    ReviewStatus,  # fmt: skip
)
from tests.deals.test_views import make_deal

pytestmark = pytest.mark.django_db

# Written apart from the selectors, with EXISTS, so the count does not share their shape.
DIRECT_COMPANY_COUNT = """
    SELECT COUNT(*) FROM deals_deal d WHERE d.review_status = 'approved' AND (
        EXISTS (SELECT 1 FROM deals_dealparty p WHERE p.deal_id = d.id AND p.company_id = %s)
        OR EXISTS (SELECT 1 FROM deals_jointventure j WHERE j.deal_id = d.id AND j.company_id = %s))
"""
DIRECT_PROGRAMME_COUNT = """
    SELECT COUNT(*) FROM deals_deal d WHERE d.review_status = 'approved' AND
        EXISTS (SELECT 1 FROM deals_governmentinvolvement g WHERE g.deal_id = d.id AND g.programme_id = %s)
"""


def direct_count(sql: str, *params: int) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, list(params))
        return cur.fetchone()[0]


@pytest.fixture
def company():
    """A company that is a party of some deals (twice in one), the joint venture of others, and
    named by a draft and a rejected deal, beside an unrelated approved deal."""
    company = Company.objects.create(name="Invented Quillmark Co", country="DE")
    company.aliases.create(name="Invented Quillmark Co")
    deals = {}
    for day, title in enumerate(["as investor", "in two roles", "as joint venture", "party and venture"], start=1):
        deals[title] = make_deal(f"Quillmark {title}", day=day)
    deals["draft"] = make_deal("Quillmark draft", status=ReviewStatus.DRAFT, day=5)
    deals["rejected"] = make_deal("Quillmark rejected", status=ReviewStatus.REJECTED, day=6)
    make_deal("Unrelated approved deal", day=7)
    for title in ("as investor", "in two roles", "party and venture", "draft"):
        DealParty.objects.create(deal=deals[title], company=company, role="investor")
    DealParty.objects.create(deal=deals["in two roles"], company=company, role="partner")
    for title in ("as joint venture", "party and venture", "rejected"):
        JointVenture.objects.create(deal=deals[title], company=company)
    return company, deals


def page_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/deals/(\d+)/"', html)]


def test_a_company_page_lists_each_approved_deal_naming_it_once_newest_first(client, company):
    company, deals = company
    ids = page_ids(client.get(f"/companies/{company.pk}/").content.decode())
    expected = [deals[t].pk for t in ("party and venture", "as joint venture", "in two roles", "as investor")]
    assert ids == expected
    assert len(ids) == direct_count(DIRECT_COMPANY_COUNT, company.pk, company.pk) == 4


def test_the_api_lists_the_same_deals_as_the_company_page_joint_ventures_included(client, company):
    company, _ = company
    page = page_ids(client.get(f"/companies/{company.pk}/").content.decode())
    api = [d["id"] for d in client.get(f"/api/companies/{company.pk}/").json()["deals"]]
    assert api == page


def test_a_company_that_is_only_an_approved_deals_joint_venture_has_a_page_and_an_api_entry(client):
    deal = make_deal("Invented venture parent")
    venture = Company.objects.create(name="Invented Venture Child Co", country="KR")
    JointVenture.objects.create(deal=deal, company=venture)
    assert client.get(f"/companies/{venture.pk}/").status_code == 200
    assert [d["id"] for d in client.get(f"/api/companies/{venture.pk}/").json()["deals"]] == [deal.pk]


def test_a_company_named_only_by_unapproved_deals_answers_404_on_the_page_and_the_api(client, company):
    _, deals = company
    hidden = Company.objects.create(name="Invented Hidden Venture Co", country="KR")
    JointVenture.objects.create(deal=make_deal("Invented hidden venture", status=ReviewStatus.DRAFT), company=hidden)
    DealParty.objects.create(deal=deals["rejected"], company=hidden, role="partner")
    assert client.get(f"/companies/{hidden.pk}/").status_code == 404
    assert client.get(f"/api/companies/{hidden.pk}/").status_code == 404


def test_the_company_page_reads_its_deals_by_a_union_of_index_probes_not_a_distinct_join(client, company):
    company, _ = company
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/companies/{company.pk}/")
    [deals_sql] = [q["sql"] for q in ctx.captured_queries
                   if 'FROM "deals_deal"' in q["sql"] and '"deals_dealparty"' in q["sql"]]  # fmt: skip
    assert "UNION" in deals_sql
    assert "DISTINCT" not in deals_sql and "OUTER JOIN" not in deals_sql


def _more_company_deals(company: Company, n: int) -> None:
    for i in range(n):
        deal = make_deal(f"Quillmark more {i}", day=10 + i)
        DealParty.objects.create(deal=deal, company=company, role="investee")


def test_the_company_page_and_api_run_a_fixed_number_of_queries(client, company, django_assert_num_queries):
    company, _ = company
    # company, its accepted aliases, its deals, their parties (this company's), their kinds
    with django_assert_num_queries(5):
        assert client.get(f"/companies/{company.pk}/").status_code == 200
    # company, its accepted aliases, its deals
    with django_assert_num_queries(3):
        assert client.get(f"/api/companies/{company.pk}/").status_code == 200
    _more_company_deals(company, 6)
    with django_assert_num_queries(5):
        assert client.get(f"/companies/{company.pk}/").status_code == 200
    with django_assert_num_queries(3):
        assert client.get(f"/api/companies/{company.pk}/").status_code == 200


@pytest.fixture
def programme():
    """A programme with approved deals (one involved twice, as broker and funder), a draft and an
    unrelated approved deal."""
    body = GovernmentBody.objects.create(name="Invented Province", country="KR")
    other_body = GovernmentBody.objects.create(name="Invented Agency", country="KR")
    programme = Programme.objects.create(name="Invented Harbour Programme", body=body)
    deals = [make_deal(f"Harbour {i}", day=i + 1) for i in range(3)]
    for deal in deals:
        GovernmentInvolvement.objects.create(deal=deal, programme=programme, body=body, role="broker")
    GovernmentInvolvement.objects.create(deal=deals[0], programme=programme, body=other_body, role="funder")
    draft = make_deal("Harbour draft", status=ReviewStatus.DRAFT, day=9)
    GovernmentInvolvement.objects.create(deal=draft, programme=programme, body=body)
    make_deal("Outside the harbour programme", day=8)
    return programme, deals


def test_a_programme_page_and_api_list_each_approved_deal_once_newest_first(client, programme):
    programme, deals = programme
    html = client.get(f"/programmes/{programme.pk}/").content.decode()
    expected = [d.pk for d in reversed(deals)]
    assert page_ids(html) == expected
    assert len(expected) == direct_count(DIRECT_PROGRAMME_COUNT, programme.pk)
    assert "Harbour draft" not in html and "Outside the harbour" not in html
    assert [d["id"] for d in client.get(f"/api/programmes/{programme.pk}/").json()["deals"]] == expected


def test_the_programme_page_and_api_run_a_fixed_number_of_queries(client, programme, django_assert_num_queries):
    programme, _ = programme
    # the programme with its body, its deals' ids, the newest of those deals, the funnel's counts per stage
    with django_assert_num_queries(4):
        assert client.get(f"/programmes/{programme.pk}/").status_code == 200
    # the programme with its body, its deals' ids, the newest of those deals
    with django_assert_num_queries(3):
        assert client.get(f"/api/programmes/{programme.pk}/").status_code == 200
    for i in range(5):
        deal = make_deal(f"Harbour more {i}", day=10 + i)
        GovernmentInvolvement.objects.create(deal=deal, programme=programme, body=programme.body)
    with django_assert_num_queries(4):
        assert client.get(f"/programmes/{programme.pk}/").status_code == 200
    with django_assert_num_queries(3):
        assert client.get(f"/api/programmes/{programme.pk}/").status_code == 200


def test_a_programme_page_and_api_show_only_the_newest_deals_and_link_to_all_of_them(client, programme, monkeypatch):
    from deals import api, views

    programme, deals = programme
    monkeypatch.setattr(views, "PROGRAMME_DEALS_SHOWN", 2)
    monkeypatch.setattr(api, "PROGRAMME_DEALS_SHOWN", 2)
    html = client.get(f"/programmes/{programme.pk}/").content.decode()
    assert page_ids(html) == [deals[2].pk, deals[1].pk]
    assert f'href="/deals/?programme={programme.pk}">All 3 deals in the listing</a>' in html
    data = client.get(f"/api/programmes/{programme.pk}/").json()
    assert [d["id"] for d in data["deals"]] == [deals[2].pk, deals[1].pk]
    assert data["deal_count"] == 3 == direct_count(DIRECT_PROGRAMME_COUNT, programme.pk)
    assert data["deals_url"] == f"/api/deals/?programme={programme.pk}"
    listed = client.get(data["deals_url"]).json()["results"]
    assert sorted(d["id"] for d in listed) == sorted(d.pk for d in deals)
