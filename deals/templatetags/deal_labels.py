"""Readable, translated names for the deal's field codes (evidence on the public pages)."""

from django import template

from deals.review import field_label as _label

register = template.Library()


@register.filter
def field_label(code: str) -> str:
    return _label(code)
