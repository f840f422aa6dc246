"""The MASH stage: information requests to agencies and their answers; then the MASH discussion,
the strategy discussion, the outcome, the allocation to a worker, and professional challenges to the
outcome.

Information requests are written only by ``triage.multiagency.requests`` and read through
``triage.multiagency.request_selectors``; the rest is written only by ``triage.multiagency.actions``
and read through ``triage.multiagency.selectors``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from mash.codes import LawfulBasis, PrimaryNeed
from referrals.states import Rag


class InformationRequest(models.Model):
    """What the MASH asks one agency about one referral, and the agency's structured answer.

    Written only by ``triage.multiagency.requests``; read only through
    ``triage.multiagency.request_selectors``, where a partner's queryset is filtered by ``agency`` (the
    relationship), so list, detail and API cannot disagree.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        CHASED = "chased", "Chased"
        DECLINED = "declined", "Declined"
        ANSWERED = "answered", "Answered"

    class Known(models.TextChoices):
        KNOWN = "known", "Known to us"
        NOT_KNOWN = "not_known", "Not known to us"

    class RiskIndicator(models.TextChoices):
        DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
        VIOLENCE = "violence", "Violence or threats"
        WEAPONS = "weapons", "Weapons"
        SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
        MENTAL_HEALTH = "mental_health", "Mental health"
        SEXUAL_HARM = "sexual_harm", "Sexual harm or exploitation"
        CRIMINAL_EXPLOITATION = "criminal_exploitation", "Criminal exploitation"
        MISSING = "missing", "Missing episodes"
        NEGLECT = "neglect", "Neglect"
        NON_ATTENDANCE = "non_attendance", "Missed appointments or school absence"

    OPEN_STATUSES = (Status.REQUESTED, Status.CHASED)

    # Opaque id for URLs, so a partner cannot walk request numbers.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="information_requests"
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="information_requests"
    )
    question = models.TextField()
    lawful_basis = models.CharField(max_length=40, choices=LawfulBasis.choices)
    # What the policy shared with the agency beyond the people and the question, as sent: one entry
    # per item, ``{"item", "label", "value", "lawful_basis"}`` (``requests.shared_items``). The partner
    # sees exactly these; the audit row of the send lists them too.
    shared = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    # Due time when asked. The deadline is the authority: a later RAG change moves it (triage.deadlines
    # recomputes the open clocks), so pages show ``current_due_at``.
    due_at = models.DateTimeField()
    deadline = models.ForeignKey(
        "triage.Deadline", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    chased_at = models.DateTimeField(null=True, blank=True)
    chase_count = models.PositiveSmallIntegerField(default=0)
    declined_reason = models.TextField(blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The structured answer.
    known = models.CharField(max_length=10, choices=Known.choices, blank=True)
    summary = models.TextField(blank=True)
    risk_indicators = models.JSONField(default=list, blank=True)
    date_checked = models.DateField(null=True, blank=True)
    free_text = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table was made by the agencies app's migrations and stays theirs (agencies_informationrequest),
        # so moving the model here needs no migration.
        app_label = "agencies"
        ordering = ["due_at", "id"]
        constraints = [
            # One open request per agency per referral: a second would split the answer.
            models.UniqueConstraint(
                fields=["referral", "agency"],
                condition=Q(status__in=["requested", "chased"]),
                name="one_open_request_per_agency",
            )
        ]
        indexes = [models.Index(fields=["agency", "status", "due_at"], name="inforequest_partner_queue")]

    def __str__(self) -> str:
        return f"Request to {self.agency} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def current_due_at(self):
        return self.deadline.due_at if self.deadline_id else self.due_at

    @property
    def risk_indicator_labels(self) -> list[str]:
        labels = dict(self.RiskIndicator.choices)
        return [labels.get(code, code) for code in self.risk_indicators]

    @property
    def shared_with_basis(self) -> list[dict]:
        """What was shared beyond the people and the question, each with its basis in words."""
        labels = dict(LawfulBasis.choices)
        return [{**entry, "basis_label": labels.get(entry["lawful_basis"], "")} for entry in self.shared]

    @property
    def deadline_subject(self) -> str:
        return f"informationrequest:{self.pk}"

    @property
    def latest_link(self) -> PartnerAccess | None:
        """The newest one-time link (prefetched, newest first, by the MASH's requests page)."""
        links = list(self.partner_accesses.all())
        return links[0] if links else None


class PartnerAccess(models.Model):
    """A one-time link to one information request, for a professional with no council account.

    Sent with the request's e-mail to the address the request went to (``email``). Neither the
    link nor a sign-in code is stored: both are derived from ``seed`` with the service's secret key
    (``triage.multiagency.partner_links``), so the database and the outbox alone reveal neither, and
    the link is found by the SHA-256 of its token. The link lasts PARTNER_LINK_HOURS, is spent once
    the request is answered, and a newer link for the same request revokes it.
    """

    class Reason(models.TextChoices):
        SENT = "sent", "Sent with the request"
        CHASED = "chased", "Sent with a reminder"
        RESENT = "resent", "Resent by MASH staff"

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="partner_accesses")
    email = models.EmailField()
    reason = models.CharField(max_length=10, choices=Reason.choices)
    seed = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField()
    # The codes e-mailed so far; the newest (number ``codes_sent``) is the only one that works.
    codes_sent = models.PositiveSmallIntegerField(default=0)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_failures = models.PositiveSmallIntegerField(default=0)
    signed_in_at = models.DateTimeField(null=True, blank=True)
    spent_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Beside the request it opens (agencies_informationrequest), in the agencies app's tables.
        app_label = "agencies"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Link to {self.request} for {self.email} ({self.get_reason_display()})"

    @property
    def state(self) -> str:
        """The link's state in words, for MASH staff."""
        if self.spent_at:
            return "used to answer"
        if self.revoked_at:
            return "replaced by a newer link"
        if self.expires_at <= timezone.now():
            return "expired"
        return "not used yet" if self.signed_in_at is None else "opened, not answered yet"


class MashDiscussion(models.Model):
    """The multi-agency discussion of one referral. Attendees are ``[{"name", "agency"}]``."""

    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.CASCADE, related_name="mash_discussion"
    )
    held_at = models.DateTimeField()
    attendees = models.JSONField(default=list)
    summary = models.TextField()
    level_of_need = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    rag_before = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    rag_after = models.CharField(max_length=5, choices=Rag.choices)
    rag_change_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"MASH discussion of {self.referral_id} on {self.held_at:%Y-%m-%d}"

    @property
    def rag_changed(self) -> bool:
        return bool(self.rag_before) and self.rag_before != self.rag_after


class DiscussionContribution(models.Model):
    """What one agency said at the discussion, shown beside its written answer."""

    discussion = models.ForeignKey(MashDiscussion, on_delete=models.CASCADE, related_name="contributions")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    contribution = models.TextField()

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["discussion", "agency"], name="one_contribution_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} at discussion {self.discussion_id}"


class StrategyDiscussion(models.Model):
    """The strategy discussion for a Red referral: who (by agency), when, and whether S47 starts."""

    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.CASCADE, related_name="strategy_discussion"
    )
    held_at = models.DateTimeField()
    attendees = models.JSONField(default=list)
    s47_enquiry = models.BooleanField()
    decision_rationale = models.TextField()
    immediate_safety_actions = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Strategy discussion of {self.referral_id} on {self.held_at:%Y-%m-%d}"


class StrategyDiscussionDecision(models.Model):
    """The decision to hold a strategy discussion (004: "Once a decision has been made for a strat
    discussion all involved professionals will be sent an invite and a strat discussion should take
    place within 24 hours"). Its clock (the policy's ``strategy_discussion_hours``) starts here and is
    met when the discussion is recorded. Made by a MASH lead before the outcome, or by the receiving
    team's manager after allocation."""

    class Stage(models.TextChoices):
        MASH = "mash", "In the MASH"
        TEAM = "team", "By the receiving team"

    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.CASCADE, related_name="strategy_decision"
    )
    stage = models.CharField(max_length=4, choices=Stage.choices)
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    due_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Strategy discussion decided for {self.referral_id} at {self.decided_at:%Y-%m-%d %H:%M}"


class StrategyInvitation(models.Model):
    """One involved professional invited to the strategy discussion, by e-mail through the outbox."""

    class Invitee(models.TextChoices):
        REFERRER = "referrer", "The referrer"
        AGENCY = "agency", "An agency asked for information"
        TEAM = "team", "The team holding the referral"

    decision = models.ForeignKey(
        StrategyDiscussionDecision, on_delete=models.CASCADE, related_name="invitations"
    )
    invitee = models.CharField(max_length=8, choices=Invitee.choices)
    name = models.CharField(max_length=150)
    email = models.EmailField()
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT)
    team = models.ForeignKey("agencies.Team", null=True, blank=True, on_delete=models.PROTECT)
    outbox_key = models.CharField(max_length=100, unique=True)
    invited_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Invitation of {self.name} to strategy discussion {self.decision_id}"


class Outcome(models.Model):
    """Where the referral goes next (the referral outcome vocabulary of statutory-facts.md)."""

    class Destination(models.TextChoices):
        STRATEGY_S47 = "strategy_s47", "Strategy discussion / section 47 enquiry"
        S17_ASSESSMENT = "s17_assessment", "Section 17 child and family assessment"
        EARLY_HELP = "early_help", "Early help"
        OTHER_AGENCY_LEAD = "other_agency_lead", "Another agency as lead professional"
        ADVICE_SIGNPOSTING = "advice_signposting", "Advice and signposting"
        NFA = "nfa", "No further action"

    # Destinations that go on to a council team, which must be named and allocates a worker.
    TEAM_DESTINATIONS = frozenset(
        {Destination.STRATEGY_S47, Destination.S17_ASSESSMENT, Destination.EARLY_HELP}
    )
    # Destinations where the referral goes on as a child in need episode: a primary need code is required.
    NEED_CODE_DESTINATIONS = frozenset({Destination.STRATEGY_S47, Destination.S17_ASSESSMENT})

    referral = models.OneToOneField("referrals.Referral", on_delete=models.CASCADE, related_name="outcome")
    destination = models.CharField(max_length=20, choices=Destination.choices)
    primary_need = models.CharField(max_length=2, choices=PrimaryNeed.choices, blank=True)
    rationale = models.TextField()
    recommendation = models.TextField()
    team = models.ForeignKey(
        "agencies.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lead_agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.get_destination_display()


class Allocation(models.Model):
    """A team manager's allocation of a decided referral to a worker of the team."""

    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="allocations")
    team = models.ForeignKey("agencies.Team", on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    allocated_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-allocated_at"]

    def __str__(self) -> str:
        return f"Allocation of {self.referral_id} to {self.worker_id}"


class Challenge(models.Model):
    """A professional's disagreement with the outcome; it waits in the receiving team manager's queue
    (or the MASH's, when the outcome went to no team)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESPONDED = "responded", "Responded"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="challenges")
    team = models.ForeignKey(
        "agencies.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_by_name = models.CharField(max_length=150)
    raised_by_email = models.EmailField()
    reasons = models.TextField()
    raised_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at"]
        indexes = [models.Index(fields=["team", "status"], name="challenge_team_queue")]

    def __str__(self) -> str:
        return f"Challenge to {self.referral_id} ({self.get_status_display()})"


class DutyDay(models.Model):
    """Which assessment team is on duty on a day (000: "three teams of social workers undertaking a
    duty system"): the team that takes that day's new S17 and S47 work. Kept by a manager, a day at a
    time; changing a day replaces its row (the audit log keeps who set what before)."""

    day = models.DateField(unique=True)
    team = models.ForeignKey("agencies.Team", on_delete=models.PROTECT, related_name="+")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.team_id} on duty {self.day}"
