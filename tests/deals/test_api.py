"""The JSON API and the Atom feed: approved deals only, the CSV's fields, the listing's filters."""

import csv
import io

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.export import COLUMNS
from deals.models import Company, GovernmentBody, GovernmentInvolvement, Programme, ReviewStatus
from tests.deals.test_views import make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals():
    shown = make_deal("Invented Optics in Korea", country="DE")
    other = make_deal("Invented Chips in Korea", country="JP")
    hidden = [make_deal(f"Hidden {s}", status=s, country="DE") for s in ("draft", "rejected")]
    duplicate = make_deal("Hidden duplicate", country="DE")
    duplicate.review_status, duplicate.duplicate_of = ReviewStatus.DUPLICATE, shown
    duplicate.save(update_fields=["review_status", "duplicate_of"])
    hidden.append(duplicate)
    body = GovernmentBody.objects.create(name="Invented Province", country="KR")
    programme = Programme.objects.create(name="Invented Investment Programme", body=body)
    for d in (shown, *hidden):
        GovernmentInvolvement.objects.create(deal=d, body=body, programme=programme, role="broker")
    return shown, other, hidden, programme


def test_the_api_lists_approved_deals_only_with_the_csv_fields_and_values(client, deals):
    shown, other, hidden, _ = deals
    data = client.get("/api/deals/").json()
    assert [r["id"] for r in data["results"]] == [other.pk, shown.pk]
    assert set(data["results"][0]) == {header for header, _, _ in COLUMNS}
    body = b"".join(client.get("/deals/?export=csv").streaming_content).decode("utf-8-sig")
    row = next(r for r in csv.DictReader(io.StringIO(body)) if r["id"] == str(shown.pk))
    api = next(r for r in data["results"] if r["id"] == shown.pk)
    for header, value in row.items():
        got = api[header]
        got = "; ".join(got) if isinstance(got, list) else "" if got is None else str(got)
        assert got == value, header


def test_no_unreviewed_deal_reaches_the_api_in_any_endpoint(client, deals):
    shown, _, hidden, programme = deals
    for d in hidden:
        assert client.get(f"/api/deals/{d.pk}/").status_code == 404
    assert client.get("/api/deals/?q=Hidden").json()["results"] == []
    company = Company.objects.get(name="Hidden draft Co")
    assert client.get(f"/api/companies/{company.pk}/").status_code == 404  # known from a draft only
    shown_company = Company.objects.get(name=f"{shown.title} Co")
    assert [d["id"] for d in client.get(f"/api/companies/{shown_company.pk}/").json()["deals"]] == [shown.pk]
    assert [d["id"] for d in client.get(f"/api/programmes/{programme.pk}/").json()["deals"]] == [shown.pk]
    lonely = Programme.objects.create(name="Invented draft-only programme", body=programme.body)
    GovernmentInvolvement.objects.create(deal=hidden[0], body=programme.body, programme=lonely, role="funder")
    assert client.get(f"/api/programmes/{lonely.pk}/").status_code == 404


def test_the_api_filters_like_the_listing_and_pages_by_cursor(client, deals):
    shown, other, _, _ = deals
    assert [r["id"] for r in client.get("/api/deals/?investor_country=DE").json()["results"]] == [shown.pk]
    first = client.get("/api/deals/?page_size=1").json()
    second = client.get(first["next"]).json()
    assert [first["results"][0]["id"], second["results"][0]["id"]] == [other.pk, shown.pk]
    assert client.get("/api/deals/?investor_country=XX").status_code == 400


def test_the_api_list_runs_a_fixed_number_of_queries(client):
    def count(n: int) -> int:
        for i in range(n):
            make_deal(f"Invented deal {n}-{i}", day=1 + i % 28)
        client.get("/api/deals/")  # warm the cached filter choices
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/deals/").status_code == 200
        return len(ctx.captured_queries)

    assert count(2) == count(12)


def test_the_schema_is_valid_openapi(client):
    from openapi_spec_validator import validate

    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    assert "/api/deals/" in spec["paths"] and "/api/companies/{id}/" in spec["paths"]
    assert client.get("/api/docs/").status_code == 200


def test_anonymous_clients_are_throttled(client, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min"})
    codes = [client.get("/api/deals/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_the_atom_feed_of_a_filtered_listing_holds_its_approved_deals(client, deals):
    shown, other, hidden, _ = deals
    feed = feedparser.parse(client.get("/deals/feed/?investor_country=DE").content)
    assert not feed.bozo, feed.bozo_exception
    assert [e.link.rsplit("/deals/", 1)[1] for e in feed.entries] == [f"{shown.pk}/"]
    everything = feedparser.parse(client.get("/deals/feed/").content)
    titles = {e.title for e in everything.entries}
    assert titles == {shown.title, other.title}


def test_the_feed_runs_a_fixed_number_of_queries(client):
    def count(n: int) -> int:
        for i in range(n):
            make_deal(f"Feed deal {n}-{i}")
        client.get("/deals/feed/")  # warm the cached filter choices
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/deals/feed/").status_code == 200
        return len(ctx.captured_queries)

    assert count(2) == count(12)


def test_an_approved_deal_that_is_rejected_later_leaves_the_api_and_feed(client, deals):
    shown, *_ = deals
    shown.review_status = ReviewStatus.REJECTED
    shown.save(update_fields=["review_status"])
    assert shown.pk not in [r["id"] for r in client.get("/api/deals/").json()["results"]]
    assert shown.title not in client.get("/deals/feed/").content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plan")
def test_the_feed_walks_an_index_of_approved_deals_by_decision_instead_of_sorting_them_all(client, deals):
    with CaptureQueriesContext(connection) as ctx:
        client.get("/deals/feed/?investor_country=DE")
    [sql] = [q["sql"] for q in ctx.captured_queries if 'ORDER BY "deals_deal"."reviewed_at" DESC' in q["sql"]]
    with connection.cursor() as cur:
        # As on a large table, where a sort of every approved deal is what the index saves
        cur.execute("SET LOCAL enable_sort = off")
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "deal_approved_reviewed_idx" in plan and " Sort " not in f" {plan} ", plan
