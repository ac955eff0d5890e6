"""Links to scraped URLs: only http and https ever become an href."""

from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def http_url(value: str | None) -> str:
    """The URL if its scheme is http or https, else "" (a feed may carry ``javascript:`` links)."""
    if not value:
        return ""
    try:
        scheme = urlsplit(str(value).strip()).scheme.lower()
    except ValueError:
        return ""
    return str(value).strip() if scheme in {"http", "https"} else ""


@register.filter
def host(value: str | None) -> str:
    """The site a source URL is on ("news.example.org"), as its publisher when no feed names one."""
    try:
        return (urlsplit(str(value or "")).hostname or "").removeprefix("www.")
    except ValueError:
        return ""
