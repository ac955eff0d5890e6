"""``/healthz`` is cheap and reachable by a load balancer: answered before every other middleware,
one query under a statement timeout, kept briefly, with a status a balancer can route on."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_healthz_reports_ok_with_a_status_field(client, settings):
    settings.HEALTHZ_CACHE_SECONDS = 0
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] in {"ok", "degraded"} and report["database"] == "ok"
    assert set(report["articles"]) == {"received", "processing"}
    assert response["Cache-Control"] == "no-store"


def test_healthz_answers_a_balancer_probing_by_address_without_tls(client, settings):
    settings.HEALTHZ_CACHE_SECONDS = 0
    settings.SECURE_SSL_REDIRECT = True  # production: every page redirects plain HTTP to HTTPS
    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")  # not in ALLOWED_HOSTS
    assert response.status_code == 200, response.status_code
    assert client.get("/deals/").status_code == 301  # the rest of the site still redirects


def test_healthz_touches_no_session_and_sets_no_cookie(client, settings):
    settings.HEALTHZ_CACHE_SECONDS = 0
    response = client.get("/healthz")
    assert not response.cookies
    assert "Vary" not in response or "Cookie" not in response["Vary"]


def test_healthz_makes_one_query_under_a_statement_timeout(client, settings):
    settings.HEALTHZ_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/healthz").status_code == 200
    sql = [q["sql"] for q in queries.captured_queries if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))]
    if connection.vendor == "postgresql":
        assert len(sql) == 2 and "statement_timeout" in sql[0], sql
    else:
        assert len(sql) == 1, sql


def test_healthz_answers_from_memory_within_its_cache_seconds(client, settings):
    settings.HEALTHZ_CACHE_SECONDS = 60
    client.get("/healthz")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(20):
            assert client.get("/healthz").status_code == 200
    assert len(queries.captured_queries) == 0
