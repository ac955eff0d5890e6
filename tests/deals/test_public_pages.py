"""Statistics, programme funnel, company pages and the Korean UI: approved deals only, everywhere."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.models import Company, DealParty, GovernmentBody, GovernmentInvolvement, Lifecycle, Programme, ReviewStatus
from tests.deals.test_views import make_deal

pytestmark = pytest.mark.django_db


def chart(response, chart_id):
    return next(c for c in response.context["data"]["charts"] if c["id"] == chart_id)


def test_stats_count_approved_deals_only(client):
    make_deal("Shown", country="DE")
    for status in (ReviewStatus.DRAFT, ReviewStatus.REJECTED):
        make_deal(f"Hidden {status}", status=status, usd="999000000")
    response = client.get("/stats/")
    assert response.status_code == 200
    assert response.context["data"]["total"] == {"n": 1, "usd": Decimal("1000000.00")}
    [year] = chart(response, "year-count")["svg"]["rows"]
    assert (year["label"], year["count"]) == ("2024", 1)
    assert "999,000,000" not in response.content.decode()


def test_stats_follow_the_listing_filters(client):
    make_deal("German", country="DE")
    make_deal("Korean", country="KR")
    korean = make_deal("Korean 2025", country="KR")
    korean.signed_on = dt.date(2025, 5, 1)
    korean.destination_country = "DE"
    korean.save()
    response = client.get("/stats/?investor_country=KR")
    assert response.context["data"]["total"]["n"] == 2
    years = {r["label"]: r["count"] for r in chart(response, "year-count")["svg"]["rows"]}
    assert years == {"2024": 1, "2025": 1}
    pairs = {r["label"] for r in chart(response, "country-pair")["svg"]["rows"]}
    assert pairs == {"South Korea → Germany", "South Korea → unknown"}  # the German investor is filtered out
    assert client.get("/stats/?usd_min=lots").status_code == 400


def test_stats_draw_svg_without_javascript(client):
    make_deal("Drawn")
    html = client.get("/stats/").content.decode()
    assert "<svg" in html and "<script" not in html


def test_stats_run_a_fixed_number_of_queries(client):
    make_deal("One")
    client.get("/stats/")  # warm the cached filter choices, as in production
    with CaptureQueriesContext(connection) as few:
        client.get("/stats/")
    for i in range(12):
        make_deal(f"More {i}", country=["DE", "JP", "US"][i % 3], day=i + 1)
    client.get("/stats/")
    with CaptureQueriesContext(connection) as many:
        client.get("/stats/")
    assert len(few) == len(many)


def test_a_programme_page_shows_its_funnel(client):
    body = GovernmentBody.objects.create(name="Invented Province", country="KR")
    programme = Programme.objects.create(name="Invented Bridge Programme", body=body)
    stages = [Lifecycle.MOU_SIGNED, Lifecycle.MOU_SIGNED, Lifecycle.AGREEMENT_SIGNED, Lifecycle.COMPLETED,
              Lifecycle.CANCELLED]  # fmt: skip
    for i, stage in enumerate(stages):
        deal = make_deal(f"P{i}", day=i + 1)
        deal.lifecycle = stage
        deal.save()
        GovernmentInvolvement.objects.create(deal=deal, programme=programme, body=body)
    hidden = make_deal("Draft in programme", status=ReviewStatus.DRAFT)
    GovernmentInvolvement.objects.create(deal=hidden, programme=programme, body=body)

    response = client.get(f"/programmes/{programme.pk}/")
    funnel = response.context["funnel"]
    # matched (every deal, the cancelled one too) → MOU or later → signed or later → completed
    assert [s["count"] for s in funnel["steps"]] == [5, 4, 2, 1]
    assert [s["usd"] for s in funnel["steps"]] == [Decimal("5000000.00"), Decimal("4000000.00"),
                                                   Decimal("2000000.00"), Decimal("1000000.00")]  # fmt: skip
    assert funnel["cancelled"] == 1
    assert funnel["usd_committed"] == Decimal("4000000.00")
    assert "Draft in programme" not in response.content.decode()


def test_a_company_known_only_from_drafts_has_no_public_page(client):
    draft = make_deal("Secret", status=ReviewStatus.DRAFT)
    company = draft.parties.get().company
    assert client.get(f"/companies/{company.pk}/").status_code == 404
    approved = make_deal("Public")
    DealParty.objects.create(deal=approved, company=company, role="partner")
    assert client.get(f"/companies/{company.pk}/").status_code == 200


def test_a_company_page_lists_its_names_in_every_script(client):
    deal = make_deal("Invented Robotics")
    company = deal.parties.get().company
    company.aliases.create(name="인벤티드로보틱스")
    company.aliases.create(name="インベンテッド・ロボティクス株式会社")
    html = client.get(f"/companies/{company.pk}/").content.decode()
    names = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))
    assert names == {"Latin letters": "Invented Robotics Co", "Hangul": "인벤티드로보틱스",
                     "Japanese": "インベンテッド・ロボティクス株式会社"}  # fmt: skip
    assert "Investor" in html  # its role in the deal


def test_filter_dropdowns_do_not_leak_bodies_named_only_in_drafts(client):
    draft = make_deal("Secret", status=ReviewStatus.DRAFT)
    hidden = GovernmentBody.objects.create(name="Hidden Agency")
    GovernmentInvolvement.objects.create(deal=draft, body=hidden)
    approved = make_deal("Public")
    GovernmentInvolvement.objects.create(deal=approved, body=GovernmentBody.objects.create(name="Open Agency"))
    for url in ("/deals/", "/stats/"):
        html = client.get(url).content.decode()
        assert "Open Agency" in html and "Hidden Agency" not in html
    # chosen by its id in the URL, it is refused (the chip would show its name), export included
    for url in (f"/deals/?body={hidden.pk}", f"/deals/?body={hidden.pk}&export=csv"):
        response = client.get(url)
        assert response.status_code == 400 and "Hidden Agency" not in response.content.decode()


def test_the_public_pages_speak_korean(client):
    make_deal("Shown")
    html = client.get("/deals/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "승인된 거래" in html and 'lang="ko"' in html
    html = client.get("/stats/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "연도별 거래 수" in html


def test_the_language_switch_sets_the_language(client):
    response = client.post("/i18n/setlang/", {"language": "ko", "next": "/deals/"})
    assert response.status_code == 302
    assert "승인된 거래" in client.get("/deals/").content.decode()


def test_companies_never_leak_into_public_counts(client):
    make_deal("Public")
    Company.objects.create(name="Unrelated")
    assert client.get("/stats/").context["data"]["total"]["n"] == 1


def test_the_listing_filters_by_programme_and_body(client):
    body = GovernmentBody.objects.create(name="Invented Province", country="KR")
    programme = Programme.objects.create(name="Invented Bridge Programme", body=body)
    inside = make_deal("Inside the programme")
    GovernmentInvolvement.objects.create(deal=inside, programme=programme, body=body)
    make_deal("Outside the programme")
    for query in (f"programme={programme.pk}", f"body={body.pk}"):
        html = client.get(f"/deals/?{query}").content.decode()
        assert "Inside the programme" in html and "Outside the programme" not in html, query
        csv_body = b"".join(client.get(f"/deals/?{query}&export=csv").streaming_content).decode()
        assert "Inside the programme" in csv_body and "Outside the programme" not in csv_body


def test_the_public_page_quotes_only_evidence_for_values_still_on_the_deal(client):
    from deals.models import Evidence
    from deals.services import deal_approve, deal_mark_human_set, draft_upsert
    from tests.factories import article, result, span

    res = result()
    res["deals"][0]["evidence"].append({"field": "parties", **span("가나다전자")})
    [deal] = draft_upsert(article=article(), result=res)
    # The reviewer deletes the wrong party and retypes the amount before approving.
    deal.parties.get(company__name__startswith="Invented").delete()
    deal.amounts.update(value=Decimal("60000000"), original_text="€60m")
    deal_mark_human_set(deal=deal, fields=["parties", "amounts"])
    deal_approve(deal=deal, user=None)

    page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert "“가나다전자”" in page
    assert "“Invented Robotics Ltd”" not in page  # the deleted party's quote
    assert "“€50m”" not in page  # the old amount's quote
    assert "“3 March 2025”" in page  # untouched fields keep theirs
    # Stale quotes stay on record (history and the review desk), only the public page drops them.
    assert Evidence.objects.filter(deal=deal, text="Invented Robotics Ltd").exists()


def test_the_investor_flow_chart_counts_investors_only(client):
    deal = make_deal("Flow", country="DE")  # a German investor
    DealParty.objects.create(deal=deal, company=Company.objects.create(name="Korean investee", country="KR"),
                             role="investee")  # fmt: skip
    deal.destination_country = "KR"
    deal.save(update_fields=["destination_country"])
    rows = [(r["label"], r["count"]) for r in chart(client.get("/stats/"), "country-pair")["svg"]["rows"]]
    assert len(rows) == 1 and rows[0][1] == 1 and rows[0][0].startswith("Germany")


def test_the_detail_page_reads_amounts_rates_and_sources_as_people_do(client):
    from deals.models import Amount, DealSource
    from sources.models import Article

    deal = make_deal("Readable", country="DE")
    deal.destination_country = "KR"
    deal.save(update_fields=["destination_country"])
    Amount.objects.create(deal=deal, value=Decimal("3300000000"), currency="KRW", usd_value=Decimal("2900000"),
                          usd_rate=Decimal("0.00088"), usd_rate_date=dt.date(2015, 1, 28),
                          usd_rate_source="ECB reference rates")  # fmt: skip
    Amount.objects.create(deal=deal, value=Decimal("5000000"), currency="XAF")
    article = Article.objects.create(raw=b"x", content_hash="e" * 64, title="An invented report",
                                     url="https://www.news.example.org/a/1", published_on=dt.date(2015, 1, 29))  # fmt: skip
    DealSource.objects.create(deal=deal, article=article)
    page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert "KRW 3.3 bn ≈ USD 2.9 m" in page and "ECB reference rate of" in page
    assert "XAF 5 m" in page and "USD unknown: no XAF reference rate for that date" in page
    assert "news.example.org" in page and "South Korea" in page
    assert "<h2>Government</h2>" not in page  # empty sections are left out
