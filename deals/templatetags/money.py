"""Amounts as people read them: "KRW 3.3 bn ≈ USD 2.9 m (ECB reference rate of 28 Jan 2015)"."""

from decimal import Decimal

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def money(value, currency: str = "") -> str:
    """In the reader's language: "KRW 50 bn", "500억 원" (deals.display)."""
    from deals.display import money_text

    return money_text(value, currency)


@register.filter
def title_shown(title: str) -> str:
    from deals.display import title_text

    return title_text(title)


@register.filter
def rate_note(amount) -> str:
    """Where the USD value comes from, or why there is none."""
    if amount.currency == "USD":
        return ""
    if amount.usd_value is None:
        if amount.deal.signed_on is None and not amount.usd_rate_date:
            return _("USD unknown: the deal has no date to convert at")
        return _("USD unknown: no %(currency)s reference rate for that date") % {"currency": amount.currency}
    day = date_format(amount.usd_rate_date, "DATE_FORMAT") if amount.usd_rate_date else ""
    if "ECB" in (amount.usd_rate_source or "") and amount.usd_provisional:
        return _("provisional: the latest ECB reference rate, of %(day)s") % {"day": day}
    if "ECB" in (amount.usd_rate_source or ""):
        return _("ECB reference rate of %(day)s") % {"day": day}
    if amount.usd_rate_source == "implied by the article":
        return _("the article's own USD figure")
    return _("rate of %(day)s, %(source)s") % {"day": day, "source": amount.usd_rate_source or "?"}


@register.filter
def own_words(amount) -> str:
    """The article's words for the amount, unless a reviewer retyped a value they do not state."""
    from deals.selectors import quotes_an_amount

    if "amounts" in (amount.deal.human_set_fields or []) and not quotes_an_amount(
        amount.original_text, {(amount.value, amount.currency)}
    ):
        return ""
    return amount.original_text


@register.filter
def percent(value) -> str:
    """A stake as people write it: 51, 49.5 (not 51.00 or 49.50)."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"
