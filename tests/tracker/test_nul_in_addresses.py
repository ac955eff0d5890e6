"""A NUL character in an address is a 400 on every page, public or admin, never a 500 (issue 26:
``?party_country=%00`` reached PostgreSQL, which cannot hold NUL in text)."""

import pytest
from django.contrib.auth.models import User

from tests.deals.test_views import make_deal

pytestmark = pytest.mark.django_db

PUBLIC = ["/deals/?q=%00", "/deals/?q=a%00b", "/deals/?investor_country=%00", "/deals/?export=csv&q=%00",
          "/stats/?q=%00", "/deals/feed/?q=%00", "/api/deals/?q=%00", "/api/deals/?cursor=%00", "/deals/?%00=1",
          "/deals/%00/"]  # fmt: skip
ADMIN = ["/admin/deals/deal/?party_country=%00", "/admin/deals/deal/?destination_country=%00",
         "/admin/deals/deal/?q=%00", "/admin/deals/company/?q=%00", "/admin/deals/company/?country=%00",
         "/admin/sources/article/?q=%00", "/admin/deals/deal/%00/change/"]  # fmt: skip


@pytest.mark.parametrize("url", PUBLIC)
def test_a_nul_in_a_public_address_is_a_400_with_a_message(client, url):
    make_deal("Invented Nul Probe")
    response = client.get(url)
    assert response.status_code == 400, (url, response.status_code)
    assert b"NUL" in response.content


@pytest.mark.parametrize("url", ADMIN)
def test_a_nul_in_an_admin_filter_or_search_is_a_400(client, url):
    make_deal("Invented Nul Probe")
    client.force_login(User.objects.create_superuser("desk", password="pw-for-test-only"))
    response = client.get(url)
    assert response.status_code == 400, (url, response.status_code)


def test_the_message_is_in_korean_for_a_korean_reader(client):
    response = client.get("/deals/?q=%00", HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 400
    assert "NUL 문자" in response.content.decode()


def test_ordinary_filters_still_answer(client):
    make_deal("Invented Nul Probe")
    assert client.get("/deals/?q=Invented").status_code == 200
