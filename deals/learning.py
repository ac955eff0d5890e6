"""The review desk as training data: every article a reviewer decided on, with the deals as the
reviewer left them, is an annotated page for ``manage.py train_extractor --from-reviews``.

A reviewer's corrections are the labels: a party they removed is no party, a name they added
is one. Only people's decisions count (not the demo loader's, not an import's).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from sources.extraction.clean import looks_like_html
from sources.extraction.decode import decode
from sources.extraction.training import Page

from .models import DealSource, DecidedBy, ReviewStatus


def _gold_deal(deal: Any) -> dict[str, Any]:
    def names(owner: Any) -> list[str]:
        return [owner.name, *(a.name for a in owner.aliases.all())]

    jv = getattr(deal, "joint_venture", None)
    return {
        "kinds": [k.code for k in deal.kinds.all()],
        "parties": [{"names": names(p.company), "country": p.company.country.code or None} for p in deal.parties.all()],
        "joint_venture": {"names": names(jv.company)} if jv else None,
        "amounts": [[{"value": str(a.value), "currency": a.currency}] for a in deal.amounts.all()],
        "date": deal.signed_on.isoformat() if deal.signed_on else None,
        "government": [{"names": names(g.body)} for g in deal.government.all() if g.body_id],
    }


def reviewed_pages(*, limit: int = 5000) -> list[Page]:
    """Articles whose deals people decided, newest first: approved deals are the gold, an article
    whose every deal was rejected is a page with no deal."""
    sources = (
        DealSource.objects.filter(deal__decided_by=DecidedBy.PERSON)
        # An approved deal's pending sources were never read by a reviewer: only accepted ones teach.
        .filter(
            Q(accepted=True, deal__review_status=ReviewStatus.APPROVED) | Q(deal__review_status=ReviewStatus.REJECTED)
        )
        .select_related("article", "deal", "deal__joint_venture__company")
        .prefetch_related(
            "deal__kinds",
            "deal__amounts",
            "deal__parties__company__aliases",
            "deal__joint_venture__company__aliases",
            "deal__government__body__aliases",
        )  # fmt: skip
        .order_by("-article_id")
    )
    by_article: dict[int, tuple[Any, list[dict[str, Any]]]] = {}
    for source in sources.iterator(chunk_size=200):
        article, deals = by_article.setdefault(source.article_id, (source.article, []))
        if source.deal.review_status == ReviewStatus.APPROVED:
            deals.append(_gold_deal(source.deal))
        if len(by_article) >= limit:
            break
    pages = []
    for article_id, (article, deals) in by_article.items():
        text, _ = decode(bytes(article.raw), article.content_type or None)
        gold = {"language": article.language, "deals": deals, "optional": {}}
        pages.append(Page(f"review-{article_id}", article.language or "en", text, gold, html=looks_like_html(text)))
    return pages
