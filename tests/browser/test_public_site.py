"""An analyst in a real browser: filter the listing, open a deal, download the CSV of the filter."""

import csv
import io
import re

import pytest

from tests.deals.test_views import make_deal

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_analyst_filters_opens_a_deal_and_downloads_the_csv(live_server, page):
    german = make_deal("Invented Optics in Korea", country="DE")
    make_deal("Invented Chips in Korea", country="JP")
    make_deal("Unpublished draft", country="DE", status="draft")

    page.goto(f"{live_server.url}/deals/")
    page.select_option("select[name=investor_country]", "DE")
    page.click("form.filters button[type=submit]")
    assert "investor_country=DE" in page.url
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and "Invented Optics" in rows.first.inner_text()

    with page.expect_download() as info:
        page.click("text=Export CSV")
    download = info.value
    assert download.suggested_filename.startswith("deals-") and download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as f:
        records = list(csv.DictReader(io.StringIO(f.read())))
    assert [r["title"] for r in records] == ["Invented Optics in Korea"]

    page.click(f"a[href='/deals/{german.pk}/']")
    assert page.locator("h1").inner_text() == "Invented Optics in Korea"
    page.click("text=Statistics")
    assert page.locator("svg").count() >= 1


# Words of the site's own chrome that must not stay English on a Korean page (data, such as an
# invented company's name, is left as written).
ENGLISH_LEFTOVERS = ["Deals", "Statistics", "Export CSV", "Filter", "Investor", "Destination", "Sources", "Amount",
                     "Parties", "Kind", "Sector", "Programme", "Language", "Sort", "Search", "Next", "Previous",
                     "approved", "Investment", "deals by", "Deals by", "Home"]  # fmt: skip


def test_every_public_page_in_korean_has_no_english_leftovers(live_server, browser):
    from deals.models import Company, GovernmentBody, GovernmentInvolvement, Programme

    deal = make_deal("가나다 투자", country="DE")
    body = GovernmentBody.objects.create(name="가상도청", country="KR")
    programme = Programme.objects.create(name="가상 투자유치 사업", body=body)
    GovernmentInvolvement.objects.create(deal=deal, body=body, programme=programme, role="broker")
    company = Company.objects.get(name="가나다 투자 Co")
    context = browser.new_context(locale="ko-KR", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        for path in ["/", "/deals/", f"/deals/{deal.pk}/", "/stats/", f"/companies/{company.pk}/",
                     f"/programmes/{programme.pk}/"]:  # fmt: skip
            page.goto(f"{live_server.url}{path}")
            text = page.locator("body").inner_text().replace("가나다 투자 Co", "")
            assert "거래" in text, path  # the page is in Korean at all
            found = [w for w in ENGLISH_LEFTOVERS if re.search(rf"\b{re.escape(w)}\b", text)]
            assert not found, (path, found)
    finally:
        context.close()


@pytest.mark.parametrize("width", [375, 1366])
def test_public_pages_fit_a_phone_and_a_laptop_without_sideways_scrolling(live_server, browser, width):
    deal = make_deal("Invented Optics in Korea with a rather long title for a narrow screen", country="DE")
    context = browser.new_context(locale="ko-KR", viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        for path in ["/deals/", f"/deals/{deal.pk}/", "/stats/"]:
            page.goto(f"{live_server.url}{path}")
            scroll, client = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert scroll <= client, (path, scroll, client)
    finally:
        context.close()


def test_active_filters_show_as_chips_that_remove_themselves(live_server, page):
    make_deal("Invented Optics in Korea", country="DE")
    make_deal("Invented Chips in Korea", country="JP")
    page.goto(f"{live_server.url}/deals/?investor_country=DE&kind=investment")
    chips = page.locator(".chip")
    assert chips.count() == 2
    page.locator(".chip", has_text="Germany").click()
    assert "investor_country" not in page.url and "kind=investment" in page.url
    assert page.locator("tbody tr").count() == 2


@pytest.mark.parametrize("width", [375, 1366])
def test_the_investor_map_renders_with_the_demo_data_on_a_phone_and_a_laptop(live_server, browser, width):
    from deals.imports import import_file
    from deals.management.commands.demo import DEMO_DEALS
    from deals.models import DecidedBy

    import_file(DEMO_DEALS, approve=True, decided_by=DecidedBy.DEMO)  # the demo's deals, as `manage.py demo` loads them
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 800}, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/stats/")
        figure = page.locator("#chart-investor-map")
        drawn = figure.locator("svg.worldmap")
        assert drawn.is_visible()
        box = drawn.bounding_box()
        assert 300 < box["width"] <= width and box["height"] > 100
        assert figure.locator("path").count() > 150  # the world, not only the countries with deals
        coloured = figure.locator("[data-country]:not([data-deals='0'])")
        assert coloured.count() >= 5
        assert figure.locator("path[data-country=JP] title").text_content() == "Japan: 7"
        assert figure.locator(".legend li").count() >= 2
        scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert scroll <= client, (scroll, client)
        # The table for screen readers, and the chart's CSV.
        figure.locator("summary").click()
        assert figure.locator("table tbody tr").count() == coloured.count()
        with page.expect_download() as info:
            figure.locator("a.chart-csv").click()
        with open(info.value.path(), encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert {r["country_code"] for r in rows} == set(coloured.evaluate_all("els => els.map(e => e.dataset.country)"))
    finally:
        context.close()
