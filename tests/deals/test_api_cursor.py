"""The API's cursor is input like any other: a hand-made or mangled cursor is a 400 with a clear
message, never a 500 (issue 26: ``p=abc``, ``p=``, ``p=NaN``, ``p=%00`` reached the query)."""

import base64

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deals.api import INVALID_CURSOR
from tests.deals.test_views import make_deal

pytestmark = pytest.mark.django_db


def encoded(querystring: str) -> str:
    return base64.b64encode(querystring.encode()).decode()


@pytest.mark.parametrize(
    "querystring",
    ["p=abc", "p=", "p=NaN", "p=%00", "p=\x00", "p=1e9", "p=-5", "p=99999999999999999999999", "p=1.5", "r=x&p=1",
     "o=-1", "o=abc", "p= 7"],
)  # fmt: skip
def test_a_malformed_cursor_is_a_400_that_says_so(client, querystring):
    response = client.get("/api/deals/", {"cursor": encoded(querystring)})
    assert response.status_code == 400, (querystring, response.status_code)
    assert response.json() == {"cursor": [INVALID_CURSOR]}


@pytest.mark.parametrize("raw", ["not base64!", "\u00e9", "abc"])
def test_a_cursor_that_is_not_base64_is_a_400_too(client, raw):
    response = client.get("/api/deals/", {"cursor": raw})
    assert response.status_code == 400
    assert response.json() == {"cursor": [INVALID_CURSOR]}


def test_the_next_link_of_a_page_still_pages(client):
    for day in range(1, 4):
        make_deal(f"Invented Paged Deal {day}", day=day)
    first = client.get("/api/deals/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert {r["id"] for r in first["results"]}.isdisjoint(r["id"] for r in second["results"])


cursor_parts = st.fixed_dictionaries(
    {},
    optional={
        "p": st.one_of(st.integers(-(2**70), 2**70).map(str), st.text(max_size=12), st.sampled_from(["NaN", "inf"])),
        "o": st.one_of(st.integers(-5, 10**6).map(str), st.text(max_size=5)),
        "r": st.one_of(st.sampled_from(["0", "1"]), st.text(max_size=3)),
    },
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=cursor_parts, garbage=st.one_of(st.none(), st.text(max_size=30)))
def test_no_cursor_answers_a_server_error(client, parts, garbage):
    from urllib.parse import urlencode

    from django.core.cache import cache

    cache.clear()  # the API's throttle counts every example as the same client
    cursor = garbage if garbage is not None else encoded(urlencode(parts))
    response = client.get("/api/deals/", {"cursor": cursor})
    assert response.status_code in (200, 400), (cursor, response.status_code)
    if response.status_code == 400 and "\x00" in cursor:
        assert b"NUL" in response.content  # refused before the API (tracker/middleware.py)
    elif response.status_code == 400:
        assert response.json() == {"cursor": [INVALID_CURSOR]}
