"""Data in the reader's language (issue 27, items 10-12): Korean amounts in 만/억/조, generated titles
with their kind translated, evidence fields by their labels, and filters and feeds that read as words."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from deals.display import money_text, title_text, usd_text
from deals.models import Amount, Evidence
from deals.services import deals_refresh_counts
from tests.deals.test_views import make_deal

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "currency", "korean", "english"),
    [
        ("50000000000", "KRW", "500억 원", "KRW 50 bn"),
        ("2460000000000", "KRW", "2조 4,600억 원", "KRW 2.5 tn"),
        ("45000000", "USD", "4,500만 달러", "USD 45 m"),
        ("12345678", "EUR", "1,235만 유로", "EUR 12.3 m"),
        ("300000000", "JPY", "3억 엔", "JPY 300 m"),
        ("99999999", "KRW", "1억 원", "KRW 100 m"),  # the rounding carries into the next unit
        ("9000", "KRW", "9,000 원", "KRW 9,000"),
        ("5000000", "XAF", "500만 XAF", "XAF 5 m"),
    ],
)  # fmt: skip
def test_an_amount_reads_in_korean_units_on_a_korean_page_and_in_short_scales_in_english(
    value, currency, korean, english
):
    with translation.override("ko"):
        assert money_text(Decimal(value), currency) == korean
    with translation.override("en"):
        assert money_text(Decimal(value), currency) == english


def test_the_usd_column_reads_dollars_in_english_and_dalleo_in_korean():
    with translation.override("en"):
        assert usd_text(Decimal("45000000")) == "$45,000,000"
    with translation.override("ko"):
        assert usd_text(Decimal("45000000")) == "4,500만 달러"
    assert usd_text(None) == ""


def test_a_generated_title_shows_its_kind_in_korean_and_any_other_title_as_stored():
    with translation.override("ko"):
        assert title_text("Invented Optics – 가나다전자: joint venture") == "Invented Optics – 가나다전자: 합작법인"
        assert title_text("Unnamed parties: deal") == "당사자 미상: 거래"
        assert title_text("A reviewer's own title: a robotics plant") == "A reviewer's own title: a robotics plant"
    with translation.override("en"):
        assert (
            title_text("Invented Optics – 가나다전자: joint venture") == "Invented Optics – 가나다전자: joint venture"
        )


def test_a_korean_deal_page_shows_the_title_and_amounts_as_korean_readers_write_them(client):
    deal = make_deal("Invented Optics – 가나다전자: joint venture")
    Amount.objects.create(deal=deal, value=Decimal("50000000000"), currency="KRW", usd_value=Decimal("38000000"),
                          usd_rate=Decimal("0.00076"), usd_rate_date=dt.date(2024, 1, 1), usd_rate_source="ECB")  # fmt: skip
    deals_refresh_counts(deal_ids=[deal.pk])
    page = client.get(f"/deals/{deal.pk}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "<h1>Invented Optics – 가나다전자: 합작법인</h1>" in page
    assert "500억 원 ≈ 3,800만 달러" in page and "KRW 50 bn" not in page
    listing = client.get("/deals/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "가나다전자: 합작법인</a>" in listing and "500억 원" in listing
    english = client.get(f"/deals/{deal.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Invented Optics – 가나다전자: joint venture" in english and "KRW 50 bn ≈ USD 38 m" in english


def test_the_public_evidence_list_names_each_field_by_its_translated_label(client):
    from sources.models import Article

    deal = make_deal("Labelled")
    article = Article.objects.create(raw=b"x", content_hash="f" * 64, text="signed on 3 May 2024 in Seoul")
    for field, start, end in [("date", 10, 20), ("destination_country", 24, 29), ("parties", 0, 6)]:
        Evidence.objects.create(deal=deal, article=article, field=field, start=start, end=end,
                                text=article.text[start:end], accepted=True)  # fmt: skip
    english = client.get(f"/deals/{deal.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<strong>signing date</strong>" in english and "<strong>destination</strong>" in english
    assert "<strong>date</strong>" not in english and "destination_country" not in english
    korean = client.get(f"/deals/{deal.pk}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "<strong>체결일</strong>" in korean and "<strong>date</strong>" not in korean


def test_a_date_mark_carries_the_signing_date_colour_of_the_legend():
    from deals.review import Span, highlight, legend

    html = highlight("signed on 3 May 2024", [Span(10, 20, "date", "ev-1")])
    assert 'class="evidence ev-signed_on"' in html
    assert "ev-signed_on" in [css for css, _label in legend()]


def test_an_empty_filter_field_leaves_the_address_and_the_rest_stays(client):
    response = client.get("/deals/?q=&kind=investment&sector=&usd_min=")
    assert response.status_code == 302 and response["Location"] == "/deals/?kind=investment"
    assert client.get("/deals/?q=&kind=").headers["Location"] == "/deals/"
    assert client.get("/stats/?q=&kind=mou").headers["Location"] == "/stats/?kind=mou"
    assert client.get("/deals/?kind=investment").status_code == 200


def test_the_filters_empty_choice_is_a_word_not_dashes(client):
    make_deal("Any")
    for lang, word in [("en", ">any<"), ("ko", ">전체<")]:
        page = client.get("/deals/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        assert "---------" not in page and word in page


def test_the_feed_title_names_its_filters_in_words(client):
    make_deal("Fed")
    feed = client.get("/deals/feed/?kind=mou").content.decode()
    assert "<title>Foreign tech-investment deals (Kind: MOU)</title>" in feed and "kind=mou)" not in feed


def test_a_korean_page_names_a_body_and_a_place_known_by_an_english_name_in_hangul_too(client):
    from deals.models import GovernmentBody, GovernmentBodyAlias, GovernmentInvolvement

    deal = make_deal("Placed")
    deal.place = "Gyeonggi Province"
    deal.save(update_fields=["place"])
    body = GovernmentBody.objects.create(name="Gyeonggi Province", country="KR")
    GovernmentBodyAlias.objects.create(body=body, name="Gyeonggi Province")
    GovernmentBodyAlias.objects.create(body=body, name="경기도")
    GovernmentBodyAlias.objects.create(body=body, name="경기도청 임시", accepted=False)  # unreviewed: never shown
    GovernmentInvolvement.objects.create(deal=deal, body=body, role="signatory")
    korean = client.get(f"/deals/{deal.pk}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "· 경기도 (Gyeonggi Province)" in korean and "<li>경기도 (Gyeonggi Province) —" in korean
    assert "임시" not in korean
    english = client.get(f"/deals/{deal.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "경기도" not in english and "Gyeonggi Province" in english
