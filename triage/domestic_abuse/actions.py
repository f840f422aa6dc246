"""Every write of domestic abuse triage: a notification put on the next meeting's agenda, the
meeting's minutes (who attended for each agency, an outcome per notification), and the referral of
a high-risk notification to MARAC.

Each write about a notification locks its referral, checks the permission table and writes an
audit row, in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from mash import audit
from mash.actor import Actor
from mash.exceptions import Conflict, InvalidInput
from referrals.locking import referral_lock
from referrals.models import Referral
from triage import deadlines
from triage.models import Deadline, PolicyVersion
from triage.permissions import require, require_role
from triage.policy import policy_for

from .models import AgendaItem, MaracReferral, TriageMeeting
from .selectors import next_meeting_start


def _label(by: Actor) -> str:
    if getattr(by, "is_authenticated", False):
        return by.get_username()
    return by if isinstance(by, str) and by else audit.SYSTEM


def _meeting_at(starts_at: datetime, policy: PolicyVersion) -> TriageMeeting:
    meeting, _ = TriageMeeting.objects.get_or_create(starts_at=starts_at, defaults={"policy_version": policy})
    return meeting


def agenda_add_next(
    referral: Referral, *, policy: PolicyVersion, by: Actor, after: datetime, reason: str
) -> AgendaItem | None:
    """Put ``referral`` on the agenda of the first meeting after ``after`` (inside the caller's
    transaction, on the caller's lock). Causes: the meeting (if it is the agenda's first item), the
    item and an audit row. None when the policy holds no meetings; the existing item when the
    referral is already on that agenda."""
    starts_at = next_meeting_start(policy, after)
    if starts_at is None:
        return None
    meeting = _meeting_at(starts_at, policy)
    item, created = AgendaItem.objects.get_or_create(
        meeting=meeting,
        referral=referral,
        defaults={"added_at": timezone.now(), "added_by_label": _label(by)},
    )
    if created:
        audit.record_write(
            "triage.triage_meeting_agenda_add",
            actor=by,
            obj=item,
            reason=reason,
            details={"meeting": starts_at.isoformat(), "grade": referral.domestic_abuse_risk},
        )
    return item


def agenda_add_on_receipt(referral: Referral, *, policy: PolicyVersion, by: Actor) -> AgendaItem | None:
    """A new notification of a grade the policy's meetings discuss (Derby 003: medium risk) goes on
    the next meeting's agenda: called in the intake transaction."""
    grades = (policy.domestic_abuse_meetings or {}).get("agenda_grades", ())
    if referral.domestic_abuse_risk not in grades:
        return None
    return agenda_add_next(
        referral,
        policy=policy,
        by=by,
        after=referral.received_at,
        reason=f"{referral.get_domestic_abuse_risk_display()} risk notification: to the next triage meeting",
    )


@dataclass(frozen=True)
class Minute:
    outcome: str
    text: str = ""


def _clean_attendees(attendees: Mapping[str, str], agencies: list[str]) -> list[dict[str, str]]:
    unknown = set(attendees) - set(agencies)
    if unknown:
        raise InvalidInput(f"attendees: {', '.join(sorted(unknown))} do not sit at this meeting.")
    rows = [
        {"agency": agency, "name": (attendees.get(agency) or "").strip()}
        for agency in agencies
        if (attendees.get(agency) or "").strip()
    ]
    if not any(row["agency"] == "social_care" for row in rows) and "social_care" in agencies:
        raise InvalidInput("attendees: record who attended for children's social care (the meeting's chair).")
    if not rows:
        raise InvalidInput("attendees: record who attended.")
    return rows


def triage_meeting_minutes_record(
    *,
    starts_at: datetime,
    attendees: Mapping[str, str],
    minutes: Mapping[int, Minute],
    by: Actor,
    now: datetime | None = None,
) -> TriageMeeting:
    """Record a meeting's minutes: who attended for each agency and an outcome per notification.

    Requires: MASH staff; the meeting to have started; a name for children's social care (and any
    other agency that attended); an outcome from ``AgendaItem.Outcome`` for at least one item, and
    only for items on this agenda not minuted already. Causes: the attendees; each minuted item's
    outcome, text, who and when, and its domestic abuse screening clock met (the meeting screened
    it); items left without an outcome go on the next meeting's agenda; an audit row per item and
    one for the meeting.
    """
    require_role("minute_triage_meeting", by)
    now = now or timezone.now()
    if now < starts_at:
        raise InvalidInput("The meeting has not started yet: record its minutes at or after the meeting.")
    meeting = TriageMeeting.objects.filter(starts_at=starts_at).first()
    if meeting is None or not meeting.items.exists():
        raise InvalidInput("This meeting has no notifications on its agenda.")
    bad = [m.outcome for m in minutes.values() if m.outcome and m.outcome not in AgendaItem.Outcome.values]
    if bad:
        raise InvalidInput(f"outcome: {bad[0]!r} is not a meeting outcome.")
    decided = {pk: minute for pk, minute in minutes.items() if minute.outcome}
    if not decided:
        raise InvalidInput("outcome: record an outcome for at least one notification.")
    with transaction.atomic():
        meeting = TriageMeeting.objects.select_for_update().get(pk=meeting.pk)
        rows = _clean_attendees(attendees, list(meeting.policy_version.domestic_abuse_meetings["agencies"]))
        items = {item.pk: item for item in meeting.items.select_related("referral")}
        if set(decided) - set(items):
            raise InvalidInput("outcome: a notification is not on this meeting's agenda.")
        for pk, minute in decided.items():
            _minute_item(items[pk], minute, by=by, now=now)
        for item in items.values():
            if item.pk not in decided and not item.outcome:
                _carry_over(item, by=by, now=now)
        meeting.attendees, meeting.minuted_by, meeting.minuted_at = rows, _user(by), now
        meeting.save(update_fields=["attendees", "minuted_by", "minuted_at"])
        audit.record_write(
            "triage.triage_meeting_minutes",
            actor=by,
            obj=meeting,
            details={"attendees": [row["agency"] for row in rows], "minuted": sorted(decided)},
        )
    return meeting


def _user(by: Actor):
    return by if getattr(by, "is_authenticated", False) else None


def _minute_item(item: AgendaItem, minute: Minute, *, by: Actor, now: datetime) -> None:
    locked = referral_lock(item.referral)
    require("minute_triage_meeting", by, locked)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if item.outcome:
        raise Conflict(f"The minute about referral {locked.reference} is already recorded.")
    item.outcome, item.minute = minute.outcome, minute.text.strip()
    item.recorded_by, item.recorded_at = _user(by), now
    item.save(update_fields=["outcome", "minute", "recorded_by", "recorded_at"])
    deadlines.deadline_meet(locked, Deadline.Kind.DOMESTIC_ABUSE_SCREENING, at=now, by=by)
    audit.record_write(
        "triage.triage_meeting_minute",
        actor=by,
        obj=item,
        reason=item.minute,
        details={"outcome": item.outcome, "meeting": item.meeting.starts_at.isoformat()},
    )


def _carry_over(item: AgendaItem, *, by: Actor, now: datetime) -> None:
    locked = referral_lock(item.referral)
    agenda_add_next(
        locked,
        policy=policy_for(locked),
        by=by,
        after=item.meeting.starts_at,
        reason="Not reached at the meeting: carried to the next one",
    )


def referral_marac_record(
    referral: Referral,
    *,
    referred_on: date | None,
    marac_reference: str,
    by: Actor,
    now: datetime | None = None,
) -> MaracReferral:
    """Record that a high-risk notification was referred to MARAC.

    Requires: MASH staff; a high-risk domestic abuse notification, open and not referred already;
    the date of the referral (not in the future, not before the notification arrived) and the MARAC
    reference. Causes: the MARAC referral (date, who, reference) and an audit row.
    """
    now = now or timezone.now()
    reference = (marac_reference or "").strip()
    if referred_on is None:
        raise InvalidInput("referred_on: enter the date the notification was referred to MARAC.")
    if not reference:
        raise InvalidInput("marac_reference: enter the MARAC reference.")
    with transaction.atomic():
        locked = referral_lock(referral)
        require("refer_to_marac", by, locked)
        if referred_on > timezone.localdate(now):
            raise InvalidInput("referred_on: the date of the MARAC referral cannot be in the future.")
        if referred_on < timezone.localdate(locked.received_at):
            raise InvalidInput("referred_on: the MARAC referral cannot be before the notification arrived.")
        record = MaracReferral.objects.create(
            referral=locked,
            referred_on=referred_on,
            marac_reference=reference,
            referred_by=by,
            recorded_at=now,
        )
        audit.record_write(
            "triage.marac_referral",
            actor=by,
            obj=record,
            reason=f"Referred to MARAC ({reference})",
            details={"referred_on": referred_on.isoformat(), "marac_reference": reference},
        )
    return record
