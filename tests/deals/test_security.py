"""Unpublished material never leaks; scraped text is escaped everywhere; logins are throttled."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from deals.models import (
    Company,
    CompanyAlias,
    DealParty,
    GovernmentBody,
    GovernmentInvolvement,
    Programme,
    ReviewStatus,
    Sector,
)
from deals.services import draft_upsert
from sources.models import Article, ArticleStatus, Source
from tests.deals.test_views import make_deal
from tests.factories import result

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(document.cookie)"
SECRET = "Zyxwv Confidential Holdings"


@pytest.fixture
def unpublished():
    """A secret company, body, programme and sector that only unpublished deals name."""
    body = GovernmentBody.objects.create(name=f"{SECRET} Agency")
    programme = Programme.objects.create(name=f"{SECRET} Programme", body=body)
    sector = Sector.objects.create(slug="secret-sector", name=f"{SECRET} sector")
    deals = []
    for status in (ReviewStatus.DRAFT, ReviewStatus.REJECTED, ReviewStatus.DUPLICATE):
        deal = make_deal(f"{SECRET} {status}", status=ReviewStatus.DRAFT, usd="777777777")
        deal.review_status = status
        if status == ReviewStatus.DUPLICATE:
            deal.duplicate_of = make_deal("Public original")
        deal.save()
        company = deal.parties.get().company
        company.name = f"{SECRET} {status} Co"
        company.save()
        GovernmentInvolvement.objects.create(deal=deal, body=body, programme=programme)
        deal.sectors.add(sector)
        deals.append(deal)
    return deals


def public_urls(deals) -> list[str]:
    urls = ["/deals/", "/deals/?export=csv", "/deals/?export=csv&bom=1", "/stats/", f"/deals/?q={SECRET}",
            f"/deals/?q={SECRET}&export=csv", f"/stats/?q={SECRET}", "/deals/?sort=-usd", "/deals/?usd_min=777777777"]  # fmt: skip
    for d in deals:
        urls += [f"/deals/{d.pk}/", f"/companies/{d.parties.get().company_id}/"]
    urls += [f"/programmes/{p.pk}/" for p in Programme.objects.all()]
    return urls


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig")


def test_anonymous_users_never_see_an_unpublished_deal_anywhere(client, unpublished):
    for url in public_urls(unpublished):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        # The search box and the filter chips echo what was typed; the rest of the page must not.
        text = re.sub(r'value="[^"]*"|<a class="chip"[^>]*>[^<]*</a>', "", body_of(response))
        assert SECRET not in text, url
        assert "777,777,777" not in text and "777777777" not in text.replace("usd_min=777777777", ""), url
    for d in unpublished:
        assert client.get(f"/deals/{d.pk}/").status_code == 404


def test_public_counts_ignore_unpublished_deals(client, unpublished):
    assert client.get("/stats/").context["data"]["total"]["n"] == 1  # only the public original
    assert client.get("/deals/").context["page"].paginator.count == 1


def test_scraped_payloads_are_escaped_on_public_pages(client):
    deal = make_deal(PAYLOAD)
    company = deal.parties.get().company
    company.name = PAYLOAD
    company.save()
    CompanyAlias.objects.create(company=company, name=PAYLOAD + "alias")
    article = Article.objects.create(raw=b"x", content_hash="a" * 64, url=JS_URL, title=PAYLOAD,
                                     status=ArticleStatus.EXTRACTED, text=PAYLOAD)  # fmt: skip
    deal.sources.create(article=article)
    deal.evidence.create(article=article, field="parties", start=0, end=8, text=PAYLOAD)
    for url in ["/deals/", f"/deals/{deal.pk}/", f"/companies/{company.pk}/", "/stats/", f"/deals/?q={PAYLOAD}"]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert 'href="javascript:' not in html, url


def test_scraped_payloads_are_escaped_in_the_review_desk(client):
    admin = User.objects.create_superuser("root", password="x")
    client.force_login(admin)
    text = f"Invented Robotics Ltd signed {PAYLOAD} for €50m. {JS_URL}"
    article = Article.objects.create(raw=text.encode(), content_hash="b" * 64, url=JS_URL, title=PAYLOAD, text=text,
                                     status=ArticleStatus.EXTRACTED)  # fmt: skip
    r = result()
    r["deals"][0]["parties"][0]["name"] = PAYLOAD
    r["deals"][0]["evidence"] = [{"field": "parties", "start": 29, "end": 29 + len(PAYLOAD), "text": PAYLOAD}]
    [deal] = draft_upsert(article=article, result=r)
    Source.objects.create(name=PAYLOAD, feed_url="https://feeds.example.org/rss")
    for url in [f"/admin/deals/deal/{deal.pk}/change/", "/admin/deals/deal/", "/admin/sources/source/",
                "/admin/sources/article/", f"/admin/sources/article/{article.pk}/change/",
                "/admin/deals/company/suggestions/", "/admin/deals/deal/corrections/"]:  # fmt: skip
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert 'href="javascript:' not in html, url


def test_every_response_carries_a_content_security_policy(client):
    make_deal("Public")
    for url in ["/deals/", "/stats/", "/admin/login/"]:
        csp = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp


def test_repeated_failed_logins_lock_the_account_out(client):
    User.objects.create_superuser("root", password="the right password")
    login = reverse("admin:login")
    for _ in range(5):
        client.post(login, {"username": "root", "password": "wrong"})
    response = client.post(login, {"username": "root", "password": "the right password"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_only_staff_reach_the_admin(client):
    user = User.objects.create_user("reader", password="x")
    client.force_login(user)
    assert client.get("/admin/deals/deal/").status_code == 302


def test_draft_companies_do_not_leak_through_public_pages(client):
    secret = Company.objects.create(name=SECRET)
    draft = make_deal("draft", status=ReviewStatus.DRAFT)
    DealParty.objects.create(deal=draft, company=secret, role="investor")
    assert client.get(f"/companies/{secret.pk}/").status_code == 404
