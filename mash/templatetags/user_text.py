"""``{{ value|isolate }}``: what a person typed, placed safely inside the council's wording in a
PDF or an e-mail (mash/text.py). Apply it before ``linebreaksbr``; the result is still escaped."""

from __future__ import annotations

from django import template

from mash.text import isolated_lines

register = template.Library()


@register.filter
def isolate(value: object) -> str:
    """Control characters removed and each line in its own bidi isolate; empty stays empty, so
    ``|default`` still works after it."""
    return isolated_lines("" if value is None else str(value))
