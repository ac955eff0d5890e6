"""Read-side queries for public pages: only approved deals ever leave here."""

from django.db.models import Prefetch, QuerySet

from .models import Amount, Deal, DealParty, GovernmentInvolvement, ReviewStatus


def public_deals() -> QuerySet[Deal]:
    """Approved deals with everything a listing row shows, in a fixed number of queries."""
    return (
        Deal.objects.filter(review_status=ReviewStatus.APPROVED)
        .select_related("joint_venture__company")
        .prefetch_related(
            "kinds",
            "sectors",
            Prefetch("parties", queryset=DealParty.objects.select_related("company").order_by("id")),
            Prefetch("amounts", queryset=Amount.objects.order_by("id")),
            Prefetch(
                "government",
                queryset=GovernmentInvolvement.objects.select_related("body", "programme").order_by("id"),
            ),
        )
    )
