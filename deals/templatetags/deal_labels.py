"""Readable, translated names for the deal's field codes (evidence on the public pages)."""

from django import template

from deals.review import correction_label as _correction
from deals.review import field_label as _label

register = template.Library()


@register.filter
def field_label(code: str) -> str:
    return _label(code)


@register.filter
def correction_label(code: str) -> str:
    return _correction(code)
