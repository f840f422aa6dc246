"""Reads of domestic abuse triage: when the next meeting is (from the policy's days and its
calendar), a meeting's agenda as the user may see it, and whether a high-risk notification has
been referred to MARAC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from mash.calendar import LONDON
from mash.exceptions import NotFound, NotPermitted
from mash.roles import is_mash_staff
from referrals.models import Referral
from triage import meetings
from triage.models import PolicyVersion
from triage.policy import calendar_for
from triage.selectors import referrals_visible_to

from .models import AgendaItem, MaracReferral, TriageMeeting

# How the pages name the agencies a meeting brings together.
AGENCY_NAMES = {
    "social_care": "Children's social care",
    "police": "Police",
    "education": "Education",
    "health": "Health",
    "probation": "Probation",
    "domestic_abuse": "Domestic abuse service",
}


def require_mash_staff(user) -> None:
    if not is_mash_staff(user):
        raise NotPermitted("Only MASH staff can see the domestic abuse triage meetings.")


def holds_meetings(policy: PolicyVersion) -> bool:
    return bool(policy.domestic_abuse_meetings)


def next_meeting_start(policy: PolicyVersion, after: datetime) -> datetime | None:
    """The start of the first triage meeting after ``after`` (``triage.meetings``: on one of the
    policy's days, at its time, on a working day). None when the policy holds no meetings."""
    if not holds_meetings(policy):
        return None
    settings = policy.domestic_abuse_meetings
    return meetings.next_meeting_start(settings["days"], settings["at"], calendar_for(policy), after)


def meetings_from(policy: PolicyVersion, after: datetime, count: int) -> list[datetime]:
    """The starts of the next ``count`` meetings after ``after``."""
    starts: list[datetime] = []
    moment = after
    while len(starts) < count:
        nxt = next_meeting_start(policy, moment)
        if nxt is None:
            break
        starts.append(nxt)
        moment = nxt
    return starts


@dataclass(frozen=True)
class Agenda:
    """A meeting (saved, or not yet made because nothing is on its agenda) and what it discusses."""

    starts_at: datetime
    meeting: TriageMeeting | None
    items: list[AgendaItem]

    @property
    def minuted(self) -> bool:
        return bool(self.meeting and self.meeting.minuted_at)


def agenda_for(user, starts_at: datetime) -> Agenda:
    """The agenda of the meeting starting at ``starts_at``: the notifications on it that ``user``
    may see (restricted records stay out)."""
    require_mash_staff(user)
    meeting = TriageMeeting.objects.filter(starts_at=starts_at).first()
    items: list[AgendaItem] = []
    if meeting is not None:
        visible = referrals_visible_to(user).values("pk")
        items = list(
            meeting.items.filter(referral__in=visible)
            .select_related("referral", "recorded_by")
            .prefetch_related("referral__children")
        )
    return Agenda(starts_at=starts_at, meeting=meeting, items=items)


def access_meeting_start(user, on: date, policy: PolicyVersion) -> datetime:
    """The start of the policy's meeting on day ``on`` (or of a meeting already held then);
    NotFound when there is none that day."""
    require_mash_staff(user)
    midnight = datetime.combine(on, datetime.min.time(), tzinfo=LONDON)
    held = (
        TriageMeeting.objects.filter(starts_at__gte=midnight, starts_at__lt=midnight + timedelta(days=1))
        .order_by("starts_at")
        .first()
    )
    if held is not None:
        return held.starts_at
    starts = next_meeting_start(policy, midnight)
    if starts is None or starts.date() != on:
        raise NotFound("There is no domestic abuse triage meeting on that day.")
    return starts


@dataclass(frozen=True)
class MaracStatus:
    """What a high-risk notification's page says about MARAC."""

    referral: MaracReferral | None
    required: bool

    @property
    def overdue(self) -> bool:
        return self.required and self.referral is None


def marac_status(referral: Referral, policy: PolicyVersion) -> MaracStatus | None:
    """None for a notification that is not high risk (MARAC is for high risk)."""
    if referral.domestic_abuse_risk != "high":
        return None
    record = MaracReferral.objects.filter(referral=referral).select_related("referred_by").first()
    return MaracStatus(referral=record, required=policy.marac_required_for_high)


def meetings_to_minute(user, now: datetime) -> list[TriageMeeting]:
    """Meetings that have started, with notifications on their agenda, whose minutes are not yet recorded."""
    require_mash_staff(user)
    return list(
        TriageMeeting.objects.filter(starts_at__lte=now, minuted_at__isnull=True, items__isnull=False)
        .distinct()
        .order_by("starts_at")
    )


def agenda_items_of(referral: Referral) -> list[AgendaItem]:
    """The triage meetings a notification was put before (on a page the reader already may see)."""
    return list(AgendaItem.objects.filter(referral=referral).select_related("meeting"))
