"""An Atom feed of any filtered listing: ``/deals/feed/?investor_country=DE&kind=mou`` is a saved
search that any feed reader can follow. Approved deals only, newest decisions first."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from .display import money_text, title_text
from .filters import DealFilterSet
from .models import Deal
from .selectors import public_deals

FEED_ITEMS = 50


class DealFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, *args, **kwargs):
        from .views import _chips

        query = request.GET.copy()
        for key in ("page", "export", "per_page"):
            query.pop(key, None)
        filterset = DealFilterSet(query, queryset=public_deals())
        # The search in words, as the listing's chips say it ("Kind: MOU"), not as its URL does.
        words = [f"{c['label']}: {c['value']}" for c in _chips(request, filterset)] if filterset.is_valid() else []
        return query, filterset, words

    def title(self, obj) -> str:
        _query, _filterset, words = obj
        return _("Foreign tech-investment deals") + (f" ({'; '.join(words)})" if words else "")

    def link(self, obj) -> str:
        query = obj[0]
        return reverse("deal-list") + (f"?{query.urlencode()}" if query else "")

    def subtitle(self, obj) -> str:
        return _("Approved deals matching the listing's filters, newest decisions first.")

    def items(self, obj) -> list[Deal]:
        _query, filterset, _words = obj
        if not filterset.is_valid():
            return []
        return list(filterset.qs.order_by("-reviewed_at", "-id")[:FEED_ITEMS])

    def item_title(self, deal: Deal) -> str:
        return title_text(deal.title)

    def item_description(self, deal: Deal) -> str:
        parties = ", ".join(f"{p.company.name} ({p.company.country or '?'})" for p in deal.parties.all())
        amounts = ", ".join(money_text(a.value, a.currency) for a in deal.amounts.all())
        kinds = ", ".join(str(k) for k in deal.kinds.all())
        return " · ".join(x for x in (kinds, deal.get_lifecycle_display(), parties, amounts, str(deal.signed_on or ""))
                          if x)  # fmt: skip

    def item_link(self, deal: Deal) -> str:
        return reverse("deal-detail", args=[deal.pk])

    def item_pubdate(self, deal: Deal):
        return deal.reviewed_at or deal.created_at

    def item_updateddate(self, deal: Deal):
        return deal.updated_at
