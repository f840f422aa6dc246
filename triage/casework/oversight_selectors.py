"""Reads of management oversight: one case's notes and its running clock, and the running clocks
of many cases at once (for the team queue)."""

from __future__ import annotations

from collections.abc import Iterable

from referrals.models import Referral
from triage.casework.models_oversight import ManagementOversight
from triage.models import Deadline


def oversight_notes(referral: Referral) -> list[ManagementOversight]:
    return list(ManagementOversight.objects.filter(referral=referral).select_related("recorded_by"))


def oversight_clock(referral: Referral) -> Deadline | None:
    """The running oversight clock of the case (None when none runs)."""
    return oversight_clocks([referral.pk]).get(referral.pk)


def oversight_clocks(referral_ids: Iterable[int]) -> dict[int, Deadline]:
    """The running oversight clock of each referral, by referral id, in one query."""
    rows = Deadline.objects.filter(
        referral_id__in=list(referral_ids), kind=Deadline.Kind.MANAGEMENT_OVERSIGHT, met_at__isnull=True
    )
    return {row.referral_id: row for row in rows}
