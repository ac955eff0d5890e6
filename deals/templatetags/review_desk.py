"""The admin home's starting points: how many drafts wait, and where articles come in."""

from django import template
from django.core.cache import cache

register = template.Library()


@register.simple_tag
def drafts_to_review() -> int:
    from deals.models import Deal, ReviewStatus

    # Cached briefly: at a million deals the exact count costs tens of milliseconds per home page.
    return cache.get_or_set(
        "deals:drafts-to-review", lambda: Deal.objects.filter(review_status=ReviewStatus.DRAFT).count(), 30
    )


@register.simple_tag
def updates_to_review() -> int:
    from deals.models import ProposalStatus, UpdateProposal

    return cache.get_or_set(
        "deals:updates-to-review",
        lambda: UpdateProposal.objects.filter(status=ProposalStatus.PENDING).values("deal_id").distinct().count(),
        30,
    )
