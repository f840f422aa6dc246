"""What the action table (``triage.permissions``) says, for templates that show a step only where
it applies: they ask the table rather than restate its rule."""

from __future__ import annotations

from django import template

from triage.permissions import rag_allows as _rag_allows

register = template.Library()


@register.filter
def rag_allows(referral, action: str) -> bool:
    """``{% if referral|rag_allows:"strategy_discussion" %}``: the referral's RAG is one the action is for."""
    return _rag_allows(action, referral)
