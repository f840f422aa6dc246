"""Every write in triage: policy versions and the referral lifecycle.

Each action is one transaction with an audit row; side effects run on commit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from mash import audit

from .models import PolicyVersion
from .policy import validate_policy
from .presets import preset

# Fields that are bookkeeping of a version, not part of what the council decided.
_VERSION_FIELDS = {"id", "council", "version", "is_current", "created_at", "created_by", "change_note"}


def policy_version_fields(policy: PolicyVersion) -> dict[str, Any]:
    """A version's settings, ready to be copied into the next version."""
    return {
        field.attname: getattr(policy, field.attname)
        for field in PolicyVersion._meta.concrete_fields
        if field.name not in _VERSION_FIELDS
    }


def policy_version_create(*, council: str, settings: dict[str, Any], by: Any, note: str) -> PolicyVersion:
    """Make a new current version of ``council``'s policy from ``settings``.

    Requires settings that pass ``validate_policy`` (else ValidationError, nothing written).
    Causes: the previous current version stops being current (it is never edited otherwise);
    an audit row records who made the version and why.
    """
    with transaction.atomic():
        # Lock the current row: two administrators saving at once must not both become version N.
        list(PolicyVersion.objects.select_for_update().filter(is_current=True))
        latest = PolicyVersion.objects.filter(council=council).order_by("-version").first()
        policy = PolicyVersion(
            council=council,
            version=(latest.version + 1) if latest else 1,
            is_current=True,
            created_by=by if getattr(by, "is_authenticated", False) else None,
            change_note=note,
            **settings,
        )
        validate_policy(policy)
        PolicyVersion.objects.filter(is_current=True).update(is_current=False)
        policy.save()
        audit.record_write(
            "policy.version_create",
            actor=by,
            obj=policy,
            reason=note,
            details={"council": council, "version": policy.version},
        )
    return policy


def policy_preset_load(council: str, *, by: Any, note: str = "") -> PolicyVersion:
    """Load ``council``'s preset (triage.presets) as its new current policy version."""
    return policy_version_create(
        council=council, settings=preset(council), by=by, note=note or f"Loaded the {council} preset"
    )
