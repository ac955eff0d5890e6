"""An analyst in a real browser: filter the listing, open a deal, download the CSV of the filter."""

import csv
import io

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
