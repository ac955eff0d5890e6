"""Stakes a deal's parties hold: on the detail page, in the CSV and in the API (one column list)."""

import csv
import io

import pytest

from deals.models import Deal, DealParty
from deals.services import deal_approve, deals_joined_stale, draft_upsert
from tests.factories import article, result

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal_with_stakes() -> Deal:
    res = result()
    res["deals"][0]["parties"][0]["stake"] = "51"
    res["deals"][0]["parties"][1]["stake"] = "49.5"
    [deal] = draft_upsert(article=article(), result=res)
    deal_approve(deal=deal, user=None)
    return deal


def test_extracted_stakes_are_stored_on_the_parties(deal_with_stakes):
    stakes = {p.company.name: p.stake_percent for p in DealParty.objects.filter(deal=deal_with_stakes)}
    assert {k: str(v) for k, v in stakes.items()} == {"Invented Robotics Ltd": "51.00", "가나다전자": "49.50"}
    assert deals_joined_stale(deal_ids=[deal_with_stakes.pk]) == []


def test_the_detail_page_shows_each_partys_stake(client, deal_with_stakes):
    page = client.get(f"/deals/{deal_with_stakes.pk}/").content.decode()
    assert "JV parent, stake 51%" in page and "JV parent, stake 49.5%" in page


def test_the_csv_and_the_api_carry_the_stakes(client, deal_with_stakes):
    body = b"".join(client.get("/deals/?export=csv").streaming_content).decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(body)))
    assert row["stakes"] == "Invented Robotics Ltd (51%); 가나다전자 (49.5%)"
    api = client.get(f"/api/deals/{deal_with_stakes.pk}/").json()
    assert api["stakes"] == ["Invented Robotics Ltd (51%)", "가나다전자 (49.5%)"]


def test_a_deal_without_stakes_has_an_empty_stakes_cell(client):
    [deal] = draft_upsert(article=article(), result=result())
    deal_approve(deal=deal, user=None)
    assert not client.get(f"/api/deals/{deal.pk}/").json()["stakes"]  # null, as every empty list column
