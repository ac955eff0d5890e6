"""Schemathesis against the API's own OpenAPI schema (/api/schema/), through the WSGI app: every
generated request, valid or not, answers as the schema says (status, content type, body), never a
500. Bounded (a few dozen examples per operation) so it runs in CI in well under two minutes.

Driven through Hypothesis directly: schemathesis 4.32's pytest plugin fails on pytest 9
("'Function' object has no attribute '_nodeid'")."""

import pytest
import schemathesis
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from deals.models import GovernmentBody, GovernmentInvolvement, Programme
from tests.deals.test_views import make_deal

pytestmark = pytest.mark.django_db
EXAMPLES = 30


@pytest.fixture
def api_schema():
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from tracker.wsgi import application

    # As Django's test client does: the WSGI handler would close the test's connection (and its
    # transaction with the data below) after the first request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    deal = make_deal("Invented Schema Optics", country="DE")
    make_deal("Invented Schema Draft", status="draft")
    body = GovernmentBody.objects.create(name="Invented Schema Province", country="KR")
    programme = Programme.objects.create(name="Invented Schema Programme", body=body)
    GovernmentInvolvement.objects.create(deal=deal, body=body, programme=programme, role="broker")
    yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


def test_the_schema_lists_every_api_operation(api_schema):
    paths = {op.path for op in operations(api_schema)}
    assert paths == {"/api/deals/", "/api/deals/{id}/", "/api/companies/{id}/", "/api/programmes/{id}/"}


@pytest.mark.parametrize("path", ["/api/deals/", "/api/deals/{id}/", "/api/companies/{id}/", "/api/programmes/{id}/"])
def test_every_api_answer_matches_the_schema(api_schema, path):
    (operation,) = [op for op in operations(api_schema) if op.path == path]

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        cache.clear()  # the anonymous throttle would turn the later examples into 429s
        # Not "a schema-valid request is accepted": a filter by an id that names nothing
        # (``?body=100``) is a documented 400, and a schema cannot say which ids exist.
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    check()


def test_a_deal_without_sectors_government_or_sources_has_empty_lists_not_null(client):
    deal = make_deal("Invented Bare Deal")
    row = client.get(f"/api/deals/{deal.pk}/").json()
    assert row["sectors"] == [] and row["government"] == [] and row["sources"] == []
    assert client.get("/api/deals/?format=json").json()["results"][0]["sectors"] == []


def test_the_schema_types_id_filters_as_integers_and_documents_errors(client):
    schema = client.get("/api/schema/?format=json").json()
    deals = schema["paths"]["/api/deals/"]["get"]
    params = {p["name"]: p["schema"] for p in deals["parameters"]}
    assert params["sector"]["type"] == params["programme"]["type"] == params["body"]["type"] == "integer"
    assert {"200", "400", "429"} <= set(deals["responses"])
    for path in ("/api/deals/{id}/", "/api/companies/{id}/", "/api/programmes/{id}/"):
        assert {"200", "404", "429"} <= set(schema["paths"][path]["get"]["responses"]), path


def test_an_api_address_no_route_matches_is_a_json_404(client):
    response = client.get("/api/deals/-3/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    assert client.get("/deals/-3/").status_code == 404  # the site keeps its HTML page
