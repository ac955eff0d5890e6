"""Invented articles and extraction results shared by the review and browser tests."""

import datetime as dt

from sources.models import Article, ArticleStatus

TEXT = (
    "Invented Robotics Ltd of Germany and Korean firm 가나다전자 signed a joint venture agreement "
    "in Berlin on 3 March 2025. The partners will invest €50m in the venture <script>alert(1)</script>."
)


def span(fragment: str) -> dict:
    start = TEXT.index(fragment)
    return {"start": start, "end": start + len(fragment), "text": fragment}


def result(value="50000000", currency="EUR", title="Invented Robotics – 가나다전자") -> dict:
    return {
        "language": "en",
        "extractor_version": "test-1",
        "deals": [
            {
                "title": title,
                "kinds": ["joint_venture"],
                "parties": [
                    {"name": "Invented Robotics Ltd", "aliases": [], "country": "DE", "role": "jv_parent"},
                    {"name": "가나다전자", "aliases": [], "country": "KR", "role": "jv_parent"},
                ],
                "amounts": [{"value": value, "currency": currency, "group": 0, "text": "€50m"}],
                "date": "2025-03-03",
                "place": "Berlin",
                "destination_country": "KR",
                "sectors": ["robotics"],
                "government": [],
                "confidence": 0.7,
                "evidence": [
                    {"field": "parties", **span("Invented Robotics Ltd")},
                    {"field": "amounts", **span("€50m")},
                    {"field": "signed_on", **span("3 March 2025")},
                    {"field": "kinds", **span("joint venture agreement")},
                ],
            }
        ],
    }


def article(text: str = TEXT, n: int = 1) -> Article:
    return Article.objects.create(
        raw=text.encode(), content_hash=f"{n:064x}", text=text, title="An invented report", language="en",
        status=ArticleStatus.EXTRACTED, published_on=dt.date(2025, 3, 4),
    )  # fmt: skip
