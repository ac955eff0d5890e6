import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.models import Amount, Company, CompanyAlias, Deal, DealKind, DealParty, ReviewStatus
from deals.services import deals_refresh_counts

pytestmark = pytest.mark.django_db


def make_deal(title, status=ReviewStatus.APPROVED, country="KR", usd="1000000", day=1):
    deal = Deal.objects.create(
        title=title, review_status=status, signed_on=dt.date(2024, 1, day), date_precision="day", usd_total=Decimal(usd)
    )
    company = Company.objects.create(name=f"{title} Co", country=country)
    CompanyAlias.objects.create(company=company, name=f"{title} Co")
    DealParty.objects.create(deal=deal, company=company, role="investor")
    deal.kinds.add(DealKind.objects.get_or_create(code="investment")[0])
    Amount.objects.create(deal=deal, value=Decimal(usd), currency="USD", usd_value=Decimal(usd), usd_rate=1,
                          usd_rate_date=deal.signed_on, usd_rate_source="identity")  # fmt: skip
    deals_refresh_counts(deal_ids=[deal.pk])  # rows written here, not by a service
    return deal


def test_the_listing_shows_approved_deals_only(client):
    make_deal("Visible")
    for status in ("draft", "rejected"):
        make_deal(f"Hidden {status}", status=status)
    html = client.get("/deals/").content.decode()
    assert "Visible" in html and "Hidden" not in html


@pytest.mark.parametrize("status", ["draft", "rejected"])
def test_an_unpublished_deal_detail_answers_404(client, status):
    deal = make_deal("Secret", status=status)
    assert client.get(f"/deals/{deal.pk}/").status_code == 404


def test_an_approved_deal_detail_shows_its_parties(client):
    deal = make_deal("Shown")
    assert "Shown Co" in client.get(f"/deals/{deal.pk}/").content.decode()


def test_filters_narrow_the_listing(client):
    make_deal("Alphadeal", country="KR")
    make_deal("Betadeal", country="DE")
    html = client.get("/deals/?investor_country=DE").content.decode()
    assert "Betadeal" in html and "Alphadeal" not in html
    html = client.get("/deals/?q=Alphadeal").content.decode()
    assert "Alphadeal" in html and "Betadeal" not in html


def test_a_malformed_filter_answers_400_not_500(client):
    assert client.get("/deals/?usd_min=lots").status_code == 400
    assert client.get("/deals/?date_from=yesterday").status_code == 400


def test_the_listing_runs_the_same_number_of_queries_whatever_the_page_size(client):
    for i in range(3):
        make_deal(f"Deal {i}", day=i + 1)
    client.get("/deals/?per_page=1")  # warm the cached filter choices, as in production
    with CaptureQueriesContext(connection) as small:
        client.get("/deals/?per_page=1")
    for i in range(3, 20):
        make_deal(f"Deal {i}", day=(i % 27) + 1)
    client.get("/deals/?per_page=50")
    with CaptureQueriesContext(connection) as large:
        client.get("/deals/?per_page=50")
    assert len(small) == len(large)


def test_csv_export_is_the_filtered_list_streamed_with_a_dated_name(client):
    make_deal("Korean", country="KR")
    make_deal("German", country="DE")
    make_deal("Draft", status="draft", country="DE")
    response = client.get("/deals/?investor_country=DE&export=csv")
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="deals-' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("id,title,kinds")
    assert len(lines) == 2 and "German" in lines[1]


def test_csv_export_neutralises_formulas_and_offers_a_bom(client):
    make_deal('=HYPERLINK("http://evil")')
    body = b"".join(client.get("/deals/?export=csv&bom=1").streaming_content).decode()
    assert body.startswith("\ufeff")
    assert "'=HYPERLINK" in body
    assert ",=HYPERLINK" not in body


def test_csv_export_runs_a_fixed_number_of_queries(client):
    make_deal("One")
    b"".join(client.get("/deals/?export=csv").streaming_content)  # warm the cached filter choices
    with CaptureQueriesContext(connection) as few:
        b"".join(client.get("/deals/?export=csv").streaming_content)
    for i in range(10):
        make_deal(f"More {i}")
    with CaptureQueriesContext(connection) as many:
        b"".join(client.get("/deals/?export=csv").streaming_content)
    assert len(few) == len(many)


def test_scraped_text_is_escaped_on_public_pages(client):
    deal = make_deal("<script>alert(1)</script>")
    html = client.get(f"/deals/{deal.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_a_listing_row_shows_linked_parties_kinds_amounts_and_escapes_every_text(client):
    deal = make_deal("<b>Bold</b> & co", country="DE", usd="2500000")
    company = deal.parties.get().company
    Company.objects.filter(pk=company.pk).update(name="<i>Maker</i>")
    deals_refresh_counts(deal_ids=[deal.pk])
    html = client.get("/deals/").content.decode()
    assert f'<a href="/deals/{deal.pk}/">&lt;b&gt;Bold&lt;/b&gt; &amp; co</a>' in html
    assert f'<a href="/companies/{company.pk}/">&lt;i&gt;Maker&lt;/i&gt;</a> <span class="muted">DE</span>' in html
    assert '<td>Investment</td><td class="num">2,500,000 USD</td><td class="num">$2,500,000</td>' in html
    assert "<i>Maker</i>" not in html


def test_every_csv_column_is_documented():
    from pathlib import Path

    from deals.export import COLUMNS

    doc = (Path(__file__).resolve().parents[2] / "docs" / "public-site.md").read_text()
    for header, description, _getter in COLUMNS:
        assert f"| `{header}` | {description} |" in doc


@pytest.mark.parametrize("probe", [0, 1000], ids=["many companies", "few companies"])
@pytest.mark.parametrize("fraction", [0.0, float("inf")], ids=["per-row shape", "union shape"])
def test_every_search_shape_finds_the_same_deals(postgres, monkeypatch, fraction, probe):
    from deals import selectors

    monkeypatch.setattr(selectors, "DENSE_FRACTION", fraction)
    monkeypatch.setattr(selectors, "ALIAS_PROBE", probe)
    make_deal("Novaterra Robotics")
    hit_alias = make_deal("Unrelated title")
    CompanyAlias.objects.create(company=hit_alias.parties.get().company, name="노바테크 Novatek")
    pending = make_deal("Another title")
    CompanyAlias.objects.create(company=pending.parties.get().company, name="Novapending", accepted=False)
    make_deal("Something else")
    found = selectors.deal_search(Deal.objects.all(), "nova")
    assert set(found.values_list("title", flat=True)) == {"Novaterra Robotics", "Unrelated title"}
    by_word = selectors.deal_search(Deal.objects.all(), "robotics")
    assert set(by_word.values_list("title", flat=True)) == {"Novaterra Robotics"}


@pytest.mark.parametrize(
    "params",
    [{}, {"q": 'a "quoted" <name>', "kind": "investment", "usd_min": "1000", "date_from": "2024-01-31"},
     {"usd_min": "not a number", "date_to": "31.12.2024", "sort": "-usd"}],
    ids=["empty", "filled", "invalid"],
)  # fmt: skip
def test_the_filter_form_built_as_a_string_is_the_markup_django_renders(params):
    from django.http import QueryDict
    from django.template import Context, Template

    from deals.facets import facet_counts
    from deals.filters import DealFilterSet, form_html
    from deals.selectors import public_deals

    make_deal("Novaterra Robotics")
    query = QueryDict(mutable=True)
    query.update(params)
    params = query
    filterset = DealFilterSet(params, queryset=public_deals())
    if filterset.is_valid():  # as the listing: an invalid form is answered with its errors, no counts
        for name, facet in facet_counts(params, DealFilterSet, public_deals()).items():
            filterset.form.fields[name].widget.facet = facet
    django = Template(
        "{% for field in form %}<div>{{ field.label_tag }}{{ field }}{{ field.errors }}</div>{% endfor %}"
    ).render(Context({"form": filterset.form}))
    assert form_html(filterset.form) == django


def test_an_export_reads_no_filter_choices_but_the_listing_and_a_chosen_value_do(client):
    from django.core.cache import cache

    from deals.selectors import CHOICES_CACHE_KEY

    make_deal("One")
    cache.delete(CHOICES_CACHE_KEY)
    b"".join(client.get("/deals/?export=csv").streaming_content)
    assert cache.get(CHOICES_CACHE_KEY) is None  # computing them costs a scan of the approved deals
    client.get("/api/deals/")
    assert cache.get(CHOICES_CACHE_KEY) is None
    client.get("/deals/")
    assert cache.get(CHOICES_CACHE_KEY) is not None
    cache.delete(CHOICES_CACHE_KEY)
    client.get("/deals/?sector=999999&export=csv")
    assert cache.get(CHOICES_CACHE_KEY) is not None


def test_a_small_result_is_counted_and_paged_from_one_query_of_its_ids(client):
    for i in range(7):
        make_deal(f"Paged {i}", day=i + 1)
    make_deal("Draft paged", status="draft")
    client.get("/deals/?per_page=3&page=2")  # warm the cached filter choices
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/deals/?per_page=3&page=2").content.decode()
    # newest first: 7 6 5 | 4 3 2 | 1
    assert "Paged 3" in html and "Paged 2" in html and "Paged 1" in html
    assert "Paged 4" not in html and "Paged 0" not in html and "Draft paged" not in html
    assert not [q for q in queries if "COUNT(" in q["sql"] and '"deals_deal"' in q["sql"]]
    assert client.get("/deals/?per_page=3&page=3").content.decode().count("Paged 0") >= 1


def test_a_name_search_found_small_by_the_planner_is_paged_without_a_second_estimate(postgres, client, monkeypatch):
    from deals import selectors

    monkeypatch.setattr(selectors, "DENSE_FRACTION", float("inf"))  # a few test rows are no dense result
    for i in range(3):
        make_deal(f"Quillon Robotics {i}", day=i + 1)
    make_deal("Something else")
    client.get("/deals/?q=quillon&per_page=2&page=2")  # warm the cached facets, choices and table size
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/deals/?q=quillon&per_page=2&page=2").content.decode()
    assert "Quillon Robotics 0" in html and "Quillon Robotics 1" not in html and "Something else" not in html
    explains = [q["sql"] for q in queries if q["sql"].startswith("EXPLAIN")]
    assert len(explains) == 1  # the search's own estimate; the paginator fetches the ids at once


def test_a_common_fragments_count_is_the_searchs_own_estimate_until_another_filter_narrows_it(
    postgres, client, monkeypatch
):
    from deals import selectors
    from deals.pagination import EstimatedCountPaginator

    monkeypatch.setattr(selectors, "DENSE_FRACTION", 0.0)  # every search takes the per-row shape
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_LIMIT", 0)  # and every count is an estimate
    for i in range(3):
        make_deal(f"Quillon Robotics {i}", day=i + 1)

    def explains(url):
        client.get(url)  # warm the cached facets and choices
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in queries if q["sql"].startswith("EXPLAIN")]

    assert len(explains("/deals/?q=quillon")) == 1
    assert len(explains("/deals/?q=quillon&lifecycle=completed")) == 2  # the narrowed result is estimated anew


def test_a_common_fragment_never_has_all_its_ids_fetched_however_small_its_estimate(postgres, client, monkeypatch):
    from deals import pagination, selectors

    monkeypatch.setattr(selectors, "DENSE_FRACTION", 0.0)  # the per-row shape, which walks every deal
    monkeypatch.setattr(pagination, "COUNT_COST_LIMIT", 0)  # as costly to produce whole as at 100k deals
    for i in range(3):
        make_deal(f"Quillon Robotics {i}", day=i + 1)
    client.get("/deals/?q=quillon&per_page=2")
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/deals/?q=quillon&per_page=2").content.decode()
    assert "Quillon Robotics 2" in html and "Quillon Robotics 0" not in html
    limits = [q["sql"] for q in queries if '"deals_deal"."id" AS "pk"' in q["sql"] and "LIMIT" in q["sql"]]
    assert limits and all(q.rstrip().endswith("LIMIT 2") for q in limits)  # one page, not 10,001 ids
