"""Triage's part of a person's chronology (referrals/person_index/selectors.py): the threshold
decisions about them, supplied to the person index in triage's ready()."""

from __future__ import annotations

from django.db.models import Q

from referrals.person_index.selectors import ChronologyEntry

from .models import ChildDecision


def decision_entries(group: list[int], mine: Q) -> list[ChronologyEntry]:
    decisions = ChildDecision.objects.filter(mine, child__person__in=group).select_related("referral")
    return [
        ChronologyEntry(
            d.decided_at,
            "decision",
            f"Threshold decision on {d.referral.reference}: "
            f"{d.get_rag_display()}, level of need {d.level_of_need}",
            d.referral_id,
        )
        for d in decisions
    ]
