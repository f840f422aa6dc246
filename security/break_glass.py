"""Break-glass: time-limited access to a referral outside a user's normal access.

A member of council staff names the child the emergency is about, chooses one of the referrals about
that child (:func:`break_glass_search`) and states a reason; access to that one referral is granted
for the hours the policy allows. The grant waits in the administrators' review list (the privacy
officer's queue) until reviewed, and the MASH leads and the user's team managers are e-mailed at once
(through the outbox, in the grant's transaction). Limits keep it an emergency measure: how long a grant
lasts, how many live grants one user may hold, and how many requests an hour the request page takes.
They are the council's policy (``triage.PolicyVersion``, versioned like every other setting), read
through :data:`break_glass_limits`, which triage supplies because the policy lives above this layer.
Triage's visibility selectors OR in :func:`break_glass_referral_ids`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NoReturn

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from mash import audit
from mash.actor import Actor
from mash.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from mash.models import AuditEvent, BreakGlassGrant
from mash.outbox.delivery import outbox_enqueue
from mash.providers import Provider
from mash.roles import Role
from referrals.models import Referral, ReferralChild
from referrals.restricted import refuse_break_glass

# Council staff who may need an out-of-hours or cross-team look at a child's referral. Partner
# agencies, performance officers and administrators never see case records this way.
BREAK_GLASS_ROLES = (
    Role.SCREENING_OFFICER,
    Role.MASH_LEAD,
    Role.TEAM_MANAGER,
    Role.SOCIAL_WORKER,
    Role.EMERGENCY_DUTY,
)
MIN_REASON_LENGTH = 20
MAX_CANDIDATES = 10

# user -> the ids of the referrals they can already open (triage's visibility, which a live grant
# joins), supplied in triage's ready(): the search offers only what break-glass would add.
referrals_open_to = Provider("security.break_glass.referrals_open_to", "the triage app (its visibility)")


@dataclass(frozen=True)
class BreakGlassLimits:
    hours: int  # how long a grant lasts
    max_live_grants: int  # grants one user may hold at once
    requests_per_hour: int  # complete searches and requests one user may send in an hour

    @property
    def rate(self) -> str:
        """The request limit in django-ratelimit's "count/period" form."""
        return f"{self.requests_per_hour}/h"


# () -> BreakGlassLimits of the policy in force, supplied in triage's ready().
break_glass_limits = Provider("security.break_glass.break_glass_limits", "the triage app (the policy)")


def can_request(user) -> bool:
    return user.is_authenticated and user.has_role(*BREAK_GLASS_ROLES)


def can_review(user) -> bool:
    return user.is_authenticated and user.has_role(Role.ADMINISTRATOR)


def break_glass_referral_ids(user) -> QuerySet:
    """Ids of referrals the user holds a live grant for, as a subquery:
    ``Referral.objects.filter(Q(<normal access>) | Q(pk__in=break_glass_referral_ids(user)))``."""
    if not getattr(user, "is_authenticated", False):
        return BreakGlassGrant.objects.none().values("referral_id")
    return live_grants(user).values("referral_id")


@dataclass(frozen=True)
class Candidate:
    """A referral the search offers: only what identifies it and the name the user already typed."""

    reference: str
    received_at: datetime
    child_name: str


def break_glass_search(user, *, first_name: str, last_name: str, date_of_birth: date) -> list[Candidate]:
    """Referrals about a child with exactly this name and date of birth (or expected date of birth)
    that the user cannot already open, newest first, at most MAX_CANDIDATES.

    The grant form offers only these, so break-glass opens a referral about a child the user can name,
    never the next reference in turn. The match is whole and exact (case aside), so a result shows
    nothing the user did not type. Requires a break-glass role; the search is audited with the
    references it found (not the name searched for).
    """
    if not can_request(user):
        raise NotPermitted("Your role cannot use break-glass access.")
    children = (
        ReferralChild.objects.filter(
            first_name__iexact=first_name.strip(),
            last_name__iexact=last_name.strip(),
        )
        .filter(Q(date_of_birth=date_of_birth) | Q(expected_date_of_birth=date_of_birth))
        .exclude(referral__in=referrals_open_to(user))
        .select_related("referral")
        .order_by("-referral__received_at", "-referral_id")
    )
    found: dict[str, Candidate] = {}
    for child in children[: MAX_CANDIDATES * 2]:  # two children of one referral may share a name
        found.setdefault(
            child.referral.reference,
            Candidate(child.referral.reference, child.referral.received_at, child.full_name),
        )
    candidates = list(found.values())[:MAX_CANDIDATES]
    audit.record(
        AuditEvent.Kind.SEARCH,
        "break_glass.searched",
        actor=user,
        details={"references": [candidate.reference for candidate in candidates]},
    )
    return candidates


def live_grants(user) -> QuerySet:
    return BreakGlassGrant.objects.filter(user=user, expires_at__gt=timezone.now())


def break_glass_grant(*, user, reference: str, reason: str, by: Actor) -> BreakGlassGrant:
    """Grant ``user`` access to the referral with ``reference`` for the policy's break-glass hours.

    Requires a break-glass role, a reason of at least MIN_REASON_LENGTH characters, and fewer live
    grants already held than the policy allows. Writes the grant and an audit row (with the
    reason) in one transaction; the grant then appears in the review list. An unknown reference
    raises NotFound and changes nothing; a user at the cap gets Conflict, with an audited refusal.
    """

    if not can_request(user):
        raise NotPermitted("Your role cannot use break-glass access.")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise InvalidInput(f"Give a reason of at least {MIN_REASON_LENGTH} characters.")
    refuse_break_glass(user=user, reference=reference)  # never opens a restricted record
    with transaction.atomic():
        referral = Referral.objects.filter(reference=reference.strip().upper()).first()
        if referral is None:
            raise NotFound("No referral has that reference.")
        # Two requests at once from one user must not both count the same live grants and pass
        # the cap: the user's row is the lock that puts their grants in single file.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        limits = break_glass_limits()
        if live_grants(user).count() < limits.max_live_grants:
            return _grant(user=user, referral=referral, reason=reason, by=by, hours=limits.hours)
    _refuse_over_cap(user=user, referral=referral, limit=limits.max_live_grants)


def _grant(*, user, referral: Referral, reason: str, by: Actor, hours: int) -> BreakGlassGrant:
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=user,
        referral=referral,
        reason=reason,
        granted_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    audit.record_write(
        "break_glass.granted",
        actor=by,
        obj=grant,
        referral_id=referral.pk,
        reason=reason,
        details={"expires_at": grant.expires_at.isoformat()},
    )
    _alert(grant)
    return grant


def alert_recipients(user) -> QuerySet:
    """Who hears at once that ``user`` broke the glass: every MASH lead and the manager of each team
    the user belongs to (not the user themself, and only those with an address to write to)."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(groups__name=Role.MASH_LEAD.value)
            | Q(managed_teams__members=user, managed_teams__is_active=True)
        )
        .exclude(pk=user.pk)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def _alert(grant: BreakGlassGrant) -> None:
    """Queue the e-mails in the grant's transaction: no grant without its alert, and no alert about a
    grant that was rolled back."""
    for recipient in alert_recipients(grant.user):
        outbox_enqueue(
            "email",
            key=f"break_glass:{grant.pk}:{recipient.pk}",
            payload=_alert_email(grant, recipient),
            referral=grant.referral,
        )


def _alert_email(grant: BreakGlassGrant, recipient) -> dict:
    """Names the referral by reference only: no child's details in the subject or the body, beyond
    what the user wrote as their reason (the form tells them it is sent)."""
    user, reference = grant.user, grant.referral.reference
    review = settings.SERVICE_BASE_URL.rstrip("/") + reverse("break_glass_review_grant", args=[grant.pk])
    expires = timezone.localtime(grant.expires_at)
    return {
        "to": recipient.email,
        "subject": f"Emergency access used: referral {reference}",
        "body": (
            f"{user.get_full_name() or user.username} ({user.username}) has used emergency access to "
            f"referral {reference}. The access lasts until {expires:%A %-d %B %Y at %H:%M}.\n\n"
            f"Reason given:\n{grant.reason}\n\n"
            "If you do not expect this, contact them now. An administrator reviews every use:\n"
            f"{review}\n"
        ),
    }


def _refuse_over_cap(*, user, referral: Referral, limit: int) -> NoReturn:
    """A user at the cap is refused plainly; the refusal is audited (committed on its own: nothing
    else was written) so that repeated attempts show in the audit log."""
    audit.record(
        AuditEvent.Kind.AUTH,
        "break_glass.refused_limit",
        actor=user,
        obj=referral,
        reason=f"Already holds {limit} live break-glass grants",
    )
    raise Conflict(
        f"You already have emergency access to {limit} referrals, the most anyone can hold at once. "
        "Ask a MASH lead, or wait until one of your accesses ends."
    )


def break_glass_review(grant: BreakGlassGrant, *, outcome: str, note: str, by: Actor) -> BreakGlassGrant:
    """An administrator records whether a grant was justified. Requires the administrator role;
    a grant is reviewed once, by someone other than its holder. Writes an audit row."""
    if not can_review(by):
        raise NotPermitted("Only an administrator can review break-glass access.")
    if outcome not in BreakGlassGrant.Outcome.values:
        raise InvalidInput("Choose whether the access was justified.")
    with transaction.atomic():
        grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.user_id == by.pk:
            raise NotPermitted("You cannot review your own break-glass access.")
        if grant.reviewed_at is not None:
            raise InvalidInput("This access has already been reviewed.")
        grant.reviewed_by, grant.reviewed_at = by, timezone.now()
        grant.review_outcome, grant.review_note = outcome, note.strip()
        grant.save(update_fields=["reviewed_by", "reviewed_at", "review_outcome", "review_note"])
        audit.record_write(
            "break_glass.reviewed",
            actor=by,
            obj=grant,
            referral_id=grant.referral_id,
            reason=note,
            details={"outcome": outcome},
        )
    return grant


def grants_to_review() -> QuerySet:
    return BreakGlassGrant.objects.filter(reviewed_at__isnull=True).select_related("user", "referral")


def access_grant(user, grant_id: int) -> BreakGlassGrant:
    if not can_review(user):
        raise NotFound("No such break-glass grant.")
    grant = (
        BreakGlassGrant.objects.select_related("user", "referral", "reviewed_by").filter(pk=grant_id).first()
    )
    if grant is None:
        raise NotFound("No such break-glass grant.")
    return grant
