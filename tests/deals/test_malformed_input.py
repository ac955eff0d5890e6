"""Every public filter and admin form fed malformed values answers 200, 400 or a form error: never 500."""

import pytest
from django.contrib.auth.models import User
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deals.filters import DealFilterSet
from tests.deals.test_views import make_deal

pytestmark = pytest.mark.django_db

PARAMS = [*DealFilterSet.base_filters, "page", "per_page", "export", "bom"]
NASTY = ["", "-1", "1e309", "NaN", "9" * 40, "2024-02-30", "'; DROP TABLE x; --<script>", "\x00", "ㄱ" * 300,
         "KR,DE"]  # fmt: skip
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("param", PARAMS)
def test_malformed_filter_values_never_raise(client, param):
    make_deal("Existing")
    for value in NASTY:
        response = client.get("/deals/", {param: value}, follow=True)  # an empty field redirects without it
        assert response.status_code in (200, 400), (param, value, response.status_code)
        if response.status_code == 200 and response.streaming:
            b"".join(response.streaming_content)


def test_the_charts_share_the_filters_validation(client):
    for value in NASTY:
        response = client.get("/stats/", {"usd_min": value, "date_to": value, "sector": value}, follow=True)
        assert response.status_code in (200, 400)


@FUZZ
@given(st.dictionaries(st.sampled_from(PARAMS), st.one_of(st.sampled_from(NASTY), st.text(max_size=30)), max_size=5))
def test_random_filter_combinations_never_raise(client, query):
    response = client.get("/deals/", query, follow=True)
    assert response.status_code in (200, 400)
    if response.streaming:
        b"".join(response.streaming_content)


@pytest.mark.parametrize("path", ["/deals/99999999999999999999/", "/companies/-1/", "/programmes/abc/", "/deals/0/"])
def test_unknown_ids_answer_404(client, path):
    assert client.get(path).status_code == 404


@pytest.fixture
def admin_client_(client):
    client.force_login(User.objects.create_superuser("root", password="x"))
    return client


@pytest.mark.parametrize(
    "query",
    ["status=nonsense", "confidence_band=huge", "party_country=ZZ", "usd_total__isempty=maybe", "o=99", "p=-4",
     "programme=abc", "q=%00", "language__exact=%3Cscript%3E", "kinds__code__exact=none"],
)  # fmt: skip
def test_admin_draft_list_with_bad_parameters_never_raises(admin_client_, query):
    response = admin_client_.get(f"/admin/deals/deal/?{query}")
    assert response.status_code in (200, 302, 400), response.status_code


def test_admin_review_actions_with_bad_input_never_raise(admin_client_):
    deal = make_deal("Draft", status="draft")
    assert admin_client_.post(f"/admin/deals/deal/{deal.pk}/duplicate/", {"original": "abc"}).status_code == 302
    assert admin_client_.post(f"/admin/deals/deal/{deal.pk}/duplicate/", {"original": deal.pk}).status_code == 302
    assert admin_client_.post(f"/admin/deals/deal/{deal.pk}/reject/", {}).status_code == 302
    assert admin_client_.post("/admin/deals/deal/999999/approve/").status_code == 404
    assert admin_client_.get(f"/admin/deals/deal/{deal.pk}/approve/").status_code == 403
    assert admin_client_.post("/admin/deals/company/suggestions/", {"survivor": "x", "other": "y"}).status_code == 404
    assert admin_client_.post("/admin/sources/article/upload/", {}).status_code == 200


def test_a_nul_byte_in_an_extracted_title_or_place_is_dropped_not_an_error():
    from deals.services import draft_upsert
    from tests.factories import article, result

    bad = result(title="Invented\x00 Robotics")
    bad["deals"][0]["place"] = "Ber\x00lin"
    [deal] = draft_upsert(article=article(), result=bad)
    deal.refresh_from_db()
    assert (deal.title, deal.place) == ("Invented Robotics", "Berlin")
