"""The one way to lock a referral: every action that changes a referral or what hangs from it takes
this row lock first, so two people acting on the same referral at once are serialised, and the
second sees what the first wrote."""

from __future__ import annotations

from .models import Referral


def referral_lock(referral: Referral | int) -> Referral:
    """Re-read ``referral`` (or the referral with that id) under a row lock, inside the caller's
    transaction. Referral.DoesNotExist if it has gone."""
    pk = referral if isinstance(referral, int) else referral.pk
    # of=("self",): lock the referral row only (its team, policy and worker are outer joins, which
    # PostgreSQL cannot lock); they are read with it because the actions' checks need them.
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("team", "policy_version", "allocated_worker")
        .get(pk=pk)
    )
