"""The charts of /stats/: counts equal direct counts, approved deals only, an investor map, and a
table and CSV for every chart."""

import csv
import datetime as dt
import html
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from deals.charts import MAP_EMPTY
from deals.models import (
    Company,
    Deal,
    DealKind,
    DealParty,
    GovernmentBody,
    GovernmentInvolvement,
    Lifecycle,
    Programme,
    ReviewStatus,
    Sector,
)
from tests.deals.test_views import make_deal

pytestmark = pytest.mark.django_db


def chart(response, chart_id):
    return next(c for c in response.context["data"]["charts"] if c["id"] == chart_id)


def table_rows(chart_):
    return [[cell["value"] for cell in row] for row in chart_["table"]["rows"]]


def dated(title, year, kinds=(), usd="1000000", country="KR", status=ReviewStatus.APPROVED):
    deal = make_deal(title, status=status, country=country, usd=usd)
    deal.signed_on = dt.date(year, 3, 1)
    deal.save(update_fields=["signed_on"])
    deal.kinds.set([DealKind.objects.get_or_create(code=k)[0] for k in kinds])
    return deal


def csv_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def map_fills(page):
    return dict(re.findall(r'data-country="([A-Z]{2})" data-deals="\d+" fill="(#[0-9a-fA-F]{6})"', page))


def test_the_year_charts_count_each_deal_once_under_its_first_kind(client):
    dated("Both kinds", 2023, kinds=["mou", "investment"], usd="2000000")
    dated("Joint venture", 2023, kinds=["joint_venture"], usd="3000000")
    dated("No kind", 2025, kinds=[], usd="5000000")
    dated("Draft", 2023, kinds=["acquisition"], status=ReviewStatus.DRAFT)

    response = client.get("/stats/")
    counts = chart(response, "year-count")
    by_year = {r["label"]: r["count"] for r in counts["svg"]["rows"]}
    approved = Deal.objects.filter(review_status=ReviewStatus.APPROVED)
    assert (
        by_year == {str(y): approved.filter(signed_on__year=y).count() for y in (2023, 2025)} == {"2023": 2, "2025": 1}
    )
    # Investment comes before MOU in the fixed order, so the two-kind deal stacks as an investment.
    assert table_rows(counts) == [
        ["2023", "Investment", 1, Decimal("2000000.00")],
        ["2023", "Joint venture", 1, Decimal("3000000.00")],
        ["2025", "no kind given", 1, Decimal("5000000.00")],
    ]
    # Every year between the first and the last has a column, an empty one for 2024.
    columns = counts["svg"]["columns"]
    assert [len(c["segments"]) for c in columns] == [2, 0, 1]
    usd = {r["label"]: r["usd"] for r in chart(response, "year-usd")["svg"]["rows"]}
    assert usd["2023"] == approved.filter(signed_on__year=2023).aggregate(s=Sum("usd_total"))["s"]


def test_deals_without_a_date_are_left_out_of_the_year_charts_and_said_so(client):
    dated("Dated", 2024, kinds=["investment"])
    undated = make_deal("Undated")
    Deal.objects.filter(pk=undated.pk).update(signed_on=None, date_precision="unknown")
    response = client.get("/stats/")
    assert response.context["data"]["undated"] == 1
    assert sum(r["count"] for r in chart(response, "year-count")["svg"]["rows"]) == 1
    assert "1 deal without a signing date is left out" in response.content.decode()


def test_drafts_and_rejected_deals_are_never_counted_in_any_chart(client):
    body = GovernmentBody.objects.create(name="Invented Province", country="KR")
    programme = Programme.objects.create(name="Invented Bridge Programme", body=body)
    sector = Sector.objects.create(slug="invented", name="invented sector")
    shown = dated("Shown", 2024, kinds=["investment"], country="DE")
    shown.sectors.add(sector)
    GovernmentInvolvement.objects.create(deal=shown, programme=programme, body=body)
    for status in (ReviewStatus.DRAFT, ReviewStatus.REJECTED):
        hidden = dated(f"Hidden {status}", 2019, kinds=["fund"], usd="999000000", country="FR", status=status)
        hidden.sectors.add(sector)
        hidden.lifecycle = Lifecycle.COMPLETED
        hidden.save(update_fields=["lifecycle"])
        GovernmentInvolvement.objects.create(deal=hidden, programme=programme, body=body)

    response = client.get("/stats/")
    everything = {str(v) for c in response.context["data"]["charts"] for row in table_rows(c) for v in row}
    assert "2019" not in everything and "France" not in everything and "FR" not in everything
    assert "999000000.00" not in everything and "Fund" not in everything
    assert table_rows(chart(response, "sector")) == [["invented sector", 1, Decimal("1000000.00")]]
    assert table_rows(chart(response, "programme")) == [["Invented Bridge Programme", 1, Decimal("1000000.00")]]
    assert [s["count"] for s in chart(response, "funnel")["funnel"]["steps"]] == [1, 1, 1, 0]
    assert map_fills(response.content.decode())["FR"] == MAP_EMPTY


def test_the_map_colours_exactly_the_investor_countries(client):
    deal = make_deal("Flow", country="DE")  # a German investor
    for country, role in (("KR", "investee"), ("US", "partner"), ("JP", "acquirer"), ("GB", "licensor")):
        DealParty.objects.create(deal=deal, company=Company.objects.create(name=f"{country} Co", country=country),
                                 role=role)  # fmt: skip
    make_deal("Second German", country="DE")
    make_deal("Draft from Canada", country="CA", status=ReviewStatus.DRAFT)

    response = client.get("/stats/")
    page = response.content.decode()
    coloured = {code for code, fill in map_fills(page).items() if fill != MAP_EMPTY}
    assert coloured == {"DE", "JP", "GB"}  # investors, acquirers, licensors; never investees or partners
    assert chart(response, "investor-map")["counts"] == {"DE": 2, "JP": 1, "GB": 1}
    assert "<title>Germany: 2</title>" in page and "<title>Canada: 0</title>" in page
    assert map_fills(page)["DE"] != map_fills(page)["JP"]  # more deals, a darker blue
    assert "<script" not in page and "tile" not in page.lower()


def test_a_small_investor_country_without_an_outline_is_drawn_as_a_dot(client):
    make_deal("From Singapore", country="SG")
    page = client.get("/stats/").content.decode()
    assert re.search(r'<circle data-country="SG" data-deals="1"', page)
    assert "Singapore: 1" in page


def test_the_map_follows_the_listing_filters(client):
    make_deal("German", country="DE")
    dated("Japanese", 2020, kinds=["licensing"], country="JP")
    response = client.get("/stats/?date_from=2024-01-01")
    assert chart(response, "investor-map")["counts"] == {"DE": 1}


def test_every_chart_has_a_table_and_a_csv_link_that_returns_its_rows(client):
    body = GovernmentBody.objects.create(name="Invented Province", country="KR")
    programme = Programme.objects.create(name="Invented Bridge Programme", body=body)
    for i, country in enumerate(["DE", "DE", "JP"]):
        deal = dated(f"Deal {i}", 2022 + i, kinds=["investment"], country=country)
        deal.destination_country = "KR"
        deal.save(update_fields=["destination_country"])
        GovernmentInvolvement.objects.create(deal=deal, programme=programme, body=body)
    make_deal("Filtered out", country="US")

    response = client.get("/stats/?destination_country=KR")
    page = response.content.decode()
    charts = response.context["data"]["charts"]
    assert {c["id"] for c in charts} == {"year-count", "year-usd", "investor-map", "country-pair", "sector",
                                         "programme", "funnel"}  # fmt: skip
    links = [html.unescape(u) for u in re.findall(r'class="chart-csv" href="([^"]+)"', page)]
    assert len(links) == len(charts)
    for chart_, link in zip(charts, links, strict=True):
        assert f"chart={chart_['id']}" in link and "destination_country=KR" in link
        header, *rows = csv_of(client, link)
        assert header == [c["key"] for c in chart_["table"]["columns"]]
        assert rows == [[str(v) for v in row] for row in table_rows(chart_)], chart_["id"]
    drawn = [c for c in charts if c["table"]["rows"]]
    assert page.count("<details>") == len(drawn) - 1  # the funnel is a table itself
    header, *rows = csv_of(client, "/stats/chart.csv?chart=investor-map&destination_country=KR")
    assert rows == [["DE", "Germany", "2"], ["JP", "Japan", "1"]]
    header, *rows = csv_of(client, "/stats/chart.csv?chart=funnel&destination_country=KR")
    assert header == ["step", "deals", "usd"] and rows[0] == ["Matched", "3", "3000000.00"]


def test_a_chart_csv_cell_never_runs_as_a_spreadsheet_formula(client):
    deal = make_deal("Formula")
    deal.sectors.add(Sector.objects.create(slug="formula", name='=HYPERLINK("http://x.example","y")'))
    header, *rows = csv_of(client, "/stats/chart.csv?chart=sector")
    assert rows[0][0].startswith("'=")


def test_an_unknown_chart_answers_404_and_a_malformed_filter_400(client):
    make_deal("One")
    assert client.get("/stats/chart.csv?chart=nonsense").status_code == 404
    assert client.get("/stats/chart.csv?chart=sector&usd_min=lots").status_code == 400


def test_the_funnel_on_the_stats_page_follows_the_filters_with_amounts(client):
    body = GovernmentBody.objects.create(name="Invented Province", country="KR")
    programme = Programme.objects.create(name="Invented Bridge Programme", body=body)
    for i, (country, stage, usd) in enumerate([("DE", Lifecycle.MOU_SIGNED, "1000000"),
                                               ("DE", Lifecycle.COMPLETED, "4000000"),
                                               ("JP", Lifecycle.COMPLETED, "9000000")]):  # fmt: skip
        deal = make_deal(f"P{i}", country=country, usd=usd, day=i + 1)
        deal.lifecycle = stage
        deal.save(update_fields=["lifecycle"])
        GovernmentInvolvement.objects.create(deal=deal, programme=programme, body=body)
    make_deal("Without a programme", country="DE")

    funnel = chart(client.get("/stats/?investor_country=DE"), "funnel")["funnel"]
    assert [(s["count"], s["usd"]) for s in funnel["steps"]] == [
        (2, Decimal("5000000.00")), (2, Decimal("5000000.00")), (1, Decimal("4000000.00")),
        (1, Decimal("4000000.00")),
    ]  # fmt: skip
    page = client.get(f"/programmes/{programme.pk}/").content.decode()
    assert "USD 14 m" in page and "USD 13 m" in page  # matched (all three) and completed


def test_the_stats_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    from deals.selectors import choices_changed

    body = GovernmentBody.objects.create(name="Invented Province", country="KR")
    programme = Programme.objects.create(name="Invented Bridge Programme", body=body)

    def add(i):
        deal = dated(f"Deal {i}", 2015 + i % 4, kinds=["investment", "fund"][: 1 + i % 2],
                     country=["DE", "JP", "US", "SG"][i % 4])  # fmt: skip
        deal.sectors.add(Sector.objects.get_or_create(slug=f"s{i % 3}", name=f"sector {i % 3}")[0])
        GovernmentInvolvement.objects.create(deal=deal, programme=programme, body=body)

    add(0)
    client.get("/stats/")  # warm the cached filter choices, as in production
    # A filter never asked before, so the charts are computed, not read from the cache.
    with django_assert_num_queries(QUERIES):
        client.get("/stats/?date_from=2000-01-01")
    for i in range(1, 13):
        add(i)
    choices_changed()  # as a review decision does
    client.get("/stats/")
    with django_assert_num_queries(QUERIES):
        client.get("/stats/?date_from=2000-01-02")


# year × kind, investor countries, flows, sectors, programmes, funnel, total; then the dropdowns'
# facet counts for a filter never asked before: its size (EXPLAIN on PostgreSQL, a bounded count
# on PostgreSQL), the matching ids and one grouped count per facet (9, with "any party's country").
QUERIES = 18 if connection.vendor == "postgresql" else 17


def test_the_stats_page_in_korean_labels_its_new_charts(client):
    dated("Shown", 2024, kinds=["investment"])
    page = client.get("/stats/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "투자국 (거래 수)" in page and "이 차트의 표" in page and "이 차트의 CSV" in page
