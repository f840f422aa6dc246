"""The threshold decision per child, RAG changes, step-up from early help, returns for lack of
consent, and the batch decision for standard-risk domestic abuse notifications."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from agencies.models import Team
from mash import audit
from mash.actor import Actor
from mash.codes import DomesticAbuseRisk, PrimaryNeed
from mash.exceptions import Conflict, InvalidInput
from referrals.models import Referral, ReferralChild
from referrals.person_index.actions import person_index_add_from_referral
from referrals.states import Rag, Status

from .. import deadlines, retention
from ..actions import referral_assign, referral_lock, referral_rate
from ..models import Deadline, PolicyVersion
from ..models_decisions import ChildDecision, ConsentBasis, highest_rag
from ..permissions import ACTIONS, require_role, require_state
from ..policy import current_policy
from ..policy_shapes import LEVEL_ROUTE_RAGS
from ..redecision import STEP_UP_REASON, decided_child_ids, stepped_up_at
from ..signals import outcome_decided
from ._common import _text, _transition
from .cse import check_cse_matrix_for_decision


@dataclass(frozen=True)
class ChildDecisionInput:
    """What a lead decides about one child."""

    child_id: int
    rag: str
    level_of_need: int
    rationale: str
    consent_basis: str
    consent_reason: str = ""
    primary_need: str = ""
    advice_given: str = ""


CONSENT_MESSAGES = {
    "consent_required": (
        "{rag} needs consent. If consent has not been given, return the referral for lack of consent."
    ),
    "consent_or_reason": "{rag} needs consent, or a recorded reason for proceeding without it.",
    "not_required_if_risk": (
        "Without consent, {rag} needs a recorded reason why seeking it would put the child at risk "
        "(choose that footing and write the reason)."
    ),
}


def check_consent(policy: PolicyVersion, referral: Referral, decision: ChildDecisionInput) -> None:
    """Apply the policy's consent rule for the decision's RAG; ``InvalidInput`` says what is missing.

    Rules (``PolicyVersion.consent_rules``): consent_required (consent only), consent_or_reason
    (consent, or a reason recorded), not_required_if_risk (consent, or a reason that seeking it
    would put the child at risk; any recorded reason where ``risk_rule_reason`` is any_reason),
    none. A RAG with no rule is treated as consent_required: when the policy is silent the child's
    family keeps its say.
    """
    rule = (policy.consent_rules or {}).get(decision.rag, "consent_required")
    basis, reason = decision.consent_basis, _text(decision.consent_reason)
    if basis == ConsentBasis.GIVEN:
        if referral.consent != Referral.Consent.GIVEN and not reason:
            raise InvalidInput(
                "The referral does not record consent: say who gave consent and when in the consent note."
            )
        return
    label = Rag(decision.rag).label
    if rule == "none":
        return
    if rule == "consent_required":
        raise InvalidInput(CONSENT_MESSAGES[rule].format(rag=label))
    if rule == "consent_or_reason" and not (
        basis in (ConsentBasis.WITHOUT_CONSENT_REASON, ConsentBasis.RISK) and reason
    ):
        raise InvalidInput(CONSENT_MESSAGES[rule].format(rag=label))
    if rule == "not_required_if_risk" and not (basis in _risk_rule_bases(policy) and reason):
        raise InvalidInput(CONSENT_MESSAGES[rule].format(rag=label))


LEVEL_ROUTE_NAMES = {"early_help": "early help", "mash": "the MASH"}


def check_level_route(policy: PolicyVersion, decision: ChildDecisionInput) -> None:
    """Where the policy routes by level of need, the RAG must send the child the level's way.

    Durham (001): "If the child has level 2 needs, the information will be shared with the One Point
    duty officer"; "level 3 or level 4 needs ... will go to the MASH for further information sharing
    and risk assessment". Here Green is the early help route and Red and Amber the MASH's, so a
    level 3 child rated Green is refused (``InvalidInput`` naming the level of need and the RAG)
    rather than quietly re-routed: the MASH route needs a rating (and its clock and consent rule)
    that says so, and the lead who chose Green must see the disagreement and resolve it. Nothing is
    written. A level the policy does not name (Durham's level 1), or a policy with no levels, is
    routed by the RAG alone.
    """
    route = (policy.level_of_need_routes or {}).get(str(decision.level_of_need))
    if route is None or decision.rag in LEVEL_ROUTE_RAGS[route]:
        return
    allowed = " or ".join(Rag(rag).label for rag in LEVEL_ROUTE_RAGS[route])
    child = ReferralChild.objects.filter(pk=decision.child_id).first()
    raise InvalidInput(
        f"{child}: level of need {decision.level_of_need} goes to {LEVEL_ROUTE_NAMES[route]} under "
        f"{policy.council_name}'s policy, so the RAG rating must be {allowed}, not "
        f"{Rag(decision.rag).label}: change the level of need or the RAG rating."
    )


def _risk_rule_bases(policy: PolicyVersion) -> tuple[str, ...]:
    """The footings the not_required_if_risk rule accepts: the risk reason alone where the council
    reads its rule so (Cambridgeshire 004: "where it will place a child at significant risk")."""
    if policy.risk_rule_reason == "risk_reason":
        return (ConsentBasis.RISK,)
    return (ConsentBasis.RISK, ConsentBasis.WITHOUT_CONSENT_REASON)


def check_decision(policy: PolicyVersion, referral: Referral, decision: ChildDecisionInput) -> None:
    """Everything a decision must carry, checked before anything is written."""
    if decision.rag not in Rag.values:
        raise InvalidInput("Choose a RAG rating: Red, Amber, Green or Blue.")
    if not isinstance(decision.level_of_need, int) or not 1 <= decision.level_of_need <= 4:
        raise InvalidInput("The level of need must be 1, 2, 3 or 4.")
    if not _text(decision.rationale):
        raise InvalidInput("Write the rationale for the decision.")
    if decision.primary_need and decision.primary_need not in PrimaryNeed.values:
        raise InvalidInput("The primary need code is not one of the CIN census codes.")
    if decision.consent_basis not in ConsentBasis.values:
        raise InvalidInput("Say on what basis the decision proceeds regarding consent.")
    if decision.rag == Rag.BLUE and not _text(decision.advice_given):
        raise InvalidInput("Blue closes the referral: record the advice or signposting given.")
    check_level_route(policy, decision)
    check_consent(policy, referral, decision)


def _new_decision(
    referral: Referral,
    decision: ChildDecisionInput,
    *,
    policy: PolicyVersion,
    by: Actor,
    version: int,
    reason: str = "",
) -> ChildDecision:
    return ChildDecision.objects.create(
        referral=referral,
        child_id=decision.child_id,
        version=version,
        rag=decision.rag,
        level_of_need=decision.level_of_need,
        rationale=_text(decision.rationale),
        primary_need=decision.primary_need,
        consent_basis=decision.consent_basis,
        consent_reason=_text(decision.consent_reason),
        advice_given=_text(decision.advice_given),
        decided_by=by,
        decided_at=timezone.now(),
        policy_version=policy,
        change_reason=reason,
    )


def _early_help_team() -> Team | None:
    return (
        Team.objects.filter(kind=Team.Kind.EARLY_HELP, is_active=True).order_by("rota_position", "pk").first()
    )


def _roll_up(referral: Referral) -> tuple[str, int | None]:
    """The referral's RAG is the highest child RAG; its level of need the highest child level."""
    rows = list(
        ChildDecision.objects.filter(referral=referral, is_current=True).values_list("rag", "level_of_need")
    )
    return highest_rag(r for r, _ in rows), max((level for _, level in rows), default=None)


def _conclude(referral: Referral, *, policy: PolicyVersion, by: Actor) -> None:
    """Every child is decided: the referral takes the highest RAG and moves on.
    Blue closes; Green goes to the early help hub's queue; Red and Amber stay with the MASH."""
    rag, level = _roll_up(referral)
    # The referral keeps the policy version it was received under; each decision row records its own.
    referral_rate(referral, rag=rag, level_of_need=level, by=by, reason="Every child decided")
    if rag == Rag.GREEN:
        referral_assign(referral, team=_early_help_team(), by=by, reason="Green: to the early help hub")
    referral.refresh_from_db()
    if rag == Rag.BLUE:
        _transition(
            referral, to=Status.CLOSED, by=by, reason="Blue: closed with advice or signposting", policy=policy
        )
    else:
        reason = f"Threshold decided: {Rag(rag).label}"
        if rag == Rag.GREEN:
            reason += " (to the early help hub)"
        _transition(referral, to=Status.DECIDED, by=by, reason=reason, policy=policy)
    referral.refresh_from_db()
    # A decided domestic abuse notification has been screened: its screening clock is met.
    deadlines.deadline_meet(referral, Deadline.Kind.DOMESTIC_ABUSE_SCREENING, by=by)
    person_index_add_from_referral(referral, by=by)
    _letter_for_direct_outcome(referral, rag=rag, by=by)


# Blue and Green are outcomes in themselves: the referrer hears of them now. Red and Amber referrals
# get their letter when the MASH records the outcome (triage.multiagency.actions.outcome_record).
DIRECT_OUTCOMES = {Rag.BLUE: "advice_signposting", Rag.GREEN: "early_help"}


def _letter_for_direct_outcome(referral: Referral, *, rag: str, by: Actor) -> None:
    if rag in DIRECT_OUTCOMES:
        outcome_decided.send(
            sender=referral_decide,
            referral=referral,
            by=by,
            outcome=DIRECT_OUTCOMES[rag],
            decided_at=timezone.now(),
        )


def referral_decide(
    referral: Referral, *, decisions: Sequence[ChildDecisionInput], by: Actor
) -> list[ChildDecision]:
    """A MASH lead records the threshold decision for one or more of the referral's children.

    Requires a lead; a referral received or in screening; each child belonging to the referral and
    not yet decided (after a step-up from early help: not decided since it); each decision complete,
    within the policy's consent rule for its RAG and its routing by level of need (``check_decision``);
    where the policy requires it, the CSE risk matrix of a CSE concern recorded
    (``check_cse_matrix_for_decision``). All or nothing: one bad decision writes none.
    Causes: a ChildDecision per child under the current policy version and an audit row each. Once
    every child is decided the referral takes the highest RAG and moves (Blue: CLOSED; Green: DECIDED
    with the early help hub; Red/Amber: DECIDED), the decision clock is met and the RAG's clocks start.
    After a step-up each decision is a new version superseding the child's earlier one (kept), and
    on the last child the old RAG clock (early help's) stops and the new RAG's starts from the step-up.
    """
    require_role("decide", by, referral)
    if not decisions:
        raise InvalidInput("Record a decision for at least one child.")
    with transaction.atomic():
        locked = referral_lock(referral)
        require_state("decide", locked)
        children = set(locked.children.values_list("pk", flat=True))
        # After a step-up the children are decided again; their earlier decisions do not count.
        since = stepped_up_at(locked)
        decided = decided_child_ids(locked, since=since)
        ids = [d.child_id for d in decisions]
        if len(ids) != len(set(ids)) or not set(ids) <= children:
            raise InvalidInput("Each decision must be about a different child named in this referral.")
        if set(ids) & decided:
            raise Conflict("A child already has a decision: change their RAG with a reason instead.")
        policy = current_policy()
        check_cse_matrix_for_decision(policy, locked)
        for decision in decisions:
            check_decision(policy, locked, decision)
        rows = [_decide_child(locked, d, policy=policy, by=by) for d in decisions]
        for row in rows:
            audit.record_write(
                "triage.decide",
                actor=by,
                obj=row,
                referral_id=locked.pk,
                details={"rag": row.rag, "child": row.child_id},
            )
        if locked.status == Status.RECEIVED:  # deciding a child is screening it
            _transition(
                locked,
                to=Status.SCREENING,
                by=by,
                reason="Screened for the threshold decision",
                policy=policy,
            )
        if decided | set(ids) == children:
            if since is not None:
                # The early help clock stops; the new rating's clock runs from the step-up.
                deadlines.rag_clock_restart(
                    locked, rag=_roll_up(locked)[0], policy=policy, start=since, by=by
                )
            _conclude(locked, policy=policy, by=by)
    return rows


def _decide_child(
    referral: Referral, decision: ChildDecisionInput, *, policy: PolicyVersion, by: Actor
) -> ChildDecision:
    """The child's first decision, or (after a step-up) a new version superseding the earlier one."""
    earlier = (
        ChildDecision.objects.select_for_update()
        .filter(referral=referral, child_id=decision.child_id, is_current=True)
        .first()
    )
    if earlier is None:
        return _new_decision(referral, decision, policy=policy, by=by, version=1)
    # Retire the old version first: the partial unique index allows one current row per child.
    ChildDecision.objects.filter(pk=earlier.pk).update(is_current=False)
    new = _new_decision(
        referral,
        decision,
        policy=policy,
        by=by,
        version=earlier.version + 1,
        reason="New threshold decision after the step-up to the MASH",
    )
    ChildDecision.objects.filter(pk=earlier.pk).update(superseded_by=new)
    return new


def referral_change_rag(
    referral: Referral, *, decision: ChildDecisionInput, reason: str, by: Actor
) -> ChildDecision:
    """A MASH lead changes a decided child's rating, with a reason.

    Requires a lead, a referral not closed or returned, a current decision for the child, a reason
    and a complete decision within the consent rules. Causes: a new version that supersedes the old
    (both kept), the referral's RAG re-rolled and marked as changed, the clocks recomputed for the
    new RAG (a step up never extends a deadline: the recompute keeps the earlier due time).
    """
    require_role("change_rag", by, referral)
    if not _text(reason):
        raise InvalidInput("Give the reason for changing the rating.")
    with transaction.atomic():
        locked = referral_lock(referral)
        require_state("change_rag", locked)
        old = (
            ChildDecision.objects.select_for_update()
            .filter(referral=locked, child_id=decision.child_id, is_current=True)
            .first()
        )
        if old is None:
            raise Conflict("That child has no decision yet: make the threshold decision first.")
        policy = current_policy()
        check_decision(policy, locked, decision)
        # Retire the old version first: the partial unique index allows one current row per child.
        ChildDecision.objects.filter(pk=old.pk).update(is_current=False)
        new = _new_decision(
            locked, decision, policy=policy, by=by, version=old.version + 1, reason=_text(reason)
        )
        ChildDecision.objects.filter(pk=old.pk).update(superseded_by=new)
        previous_rag = locked.rag
        concluded = locked.status not in ACTIONS["decide"].statuses
        # Before every child is decided the referral has no RAG yet; the roll-up waits for the last one.
        rag, level = _roll_up(locked) if concluded else (locked.rag, locked.level_of_need)
        referral_rate(
            locked,
            rag=rag,
            level_of_need=level,
            rag_changed=locked.rag_changed or old.rag != new.rag,
            by=by,
            reason=_text(reason),
        )
        audit.record_write(
            "triage.change_rag",
            actor=by,
            obj=new,
            referral_id=locked.pk,
            reason=_text(reason),
            details={"child": new.child_id, "from": old.rag, "to": new.rag, "referral_rag": rag},
        )
        locked.refresh_from_db()
        if concluded and rag != previous_rag:
            # A step up never moves a due time later (the earlier of the old and new is kept).
            deadlines.deadlines_recompute_for_rag(locked, policy=policy, previous_rag=previous_rag, by=by)
    return new


# --- after the decision: early help, returns ------------------------------------------------


def referral_step_up(referral: Referral, *, reason: str, by: Actor) -> Referral:
    """Early help steps a Green referral back up to the MASH, with a reason.

    Requires a member or manager of the early help hub holding it (or a MASH lead) and a reason.
    Causes: back to SCREENING, unclaimed, with no team; the reason in the status history and the
    audit log; the decision clock starts again (``referral_transition``) so the MASH re-decides in time.
    """
    if not _text(reason):
        raise InvalidInput("Give the reason for stepping the referral up to the MASH.")
    with transaction.atomic():
        locked = referral_lock(referral)
        require_state("step_up", locked)
        require_role("step_up", by, locked)
        referral_assign(
            locked, team=None, claimed_by=None, claimed_at=None, by=by, reason="Stepped up to the MASH"
        )
        locked.refresh_from_db()
        policy = current_policy()
        _transition(
            locked,
            to=Status.SCREENING,
            by=by,
            reason=f"{STEP_UP_REASON}{_text(reason)}",
            policy=policy,
        )
        audit.record_write("triage.step_up", actor=by, obj=locked, reason=_text(reason))
        locked.refresh_from_db()
    return locked


def referral_return_for_consent(referral: Referral, *, reason: str, by: Actor) -> Referral:
    """Not progressed for lack of consent: the referral is RETURNED with the reason.

    Requires MASH staff, a referral not yet beyond the decision, and a reason. Causes: RETURNED
    (terminal) with the reason in the status history and the audit log; when the policy keeps such
    referrals 0 days, their personal data erased at once (``triage.retention``).
    """
    require_role("return", by, referral)
    if not _text(reason):
        raise InvalidInput("Give the reason the referral is not progressed (for example, consent refused).")
    with transaction.atomic():
        locked = referral_lock(referral)
        require_state("return", locked)
        _transition(
            locked, to=Status.RETURNED, by=by, reason=f"Not progressed for lack of consent: {_text(reason)}"
        )
        audit.record_write("triage.return_for_consent", actor=by, obj=locked, reason=_text(reason))
        _erase_at_once_if_kept_no_days(locked)
        locked.refresh_from_db()
    return locked


def _erase_at_once_if_kept_no_days(referral: Referral) -> None:
    """A policy that keeps nothing (Cambridgeshire 004: such a referral "will NOT be recorded on our
    system") erases the personal data in the return's own transaction, not at the next daily run."""
    days = current_policy().no_consent_retention_days
    if days == 0:
        retention.referral_purge(referral.pk, days=days)


# --- domestic abuse notifications -----------------------------------------------------------

BATCH_RAGS = (Rag.GREEN, Rag.BLUE)


def da_batch_decide(
    referrals: Sequence[Referral],
    *,
    rag: str,
    level_of_need: int,
    rationale: str,
    advice_given: str = "",
    primary_need: str = "",
    by: Actor,
) -> int:
    """One decision for many standard-risk domestic abuse notifications (Green or Blue only).

    Requires a lead; every referral standard risk and not yet decided; for Green, consent recorded
    on each referral. All or nothing, in one transaction: a referral that does not qualify is named
    and nothing is written. Causes, per referral: the same decision for every child (``referral_decide``).
    """
    require_role("decide", by)
    if rag not in BATCH_RAGS:
        raise InvalidInput("A batch decision can only be Green or Blue; decide higher ratings one by one.")
    if not referrals:
        raise InvalidInput("Choose at least one notification.")
    with transaction.atomic():
        for referral in referrals:
            if referral.domestic_abuse_risk != DomesticAbuseRisk.STANDARD:
                raise InvalidInput(f"{referral.reference} is not a standard-risk notification.")
            given = referral.consent == Referral.Consent.GIVEN
            basis = ConsentBasis.GIVEN if given else ConsentBasis.NOT_NEEDED
            if rag == Rag.GREEN and not given:
                raise InvalidInput(f"{referral.reference}: Green needs consent, and none is recorded.")
            decisions = [
                ChildDecisionInput(
                    child_id=child_id,
                    rag=rag,
                    level_of_need=level_of_need,
                    rationale=rationale,
                    consent_basis=basis,
                    primary_need=primary_need,
                    advice_given=advice_given,
                )
                for child_id in referral.children.values_list("pk", flat=True)
            ]
            if not decisions:
                raise InvalidInput(f"{referral.reference} names no child.")
            try:
                referral_decide(referral, decisions=decisions, by=by)
            except (InvalidInput, Conflict) as error:
                raise type(error)(f"{referral.reference}: {error.message}") from error
    return len(referrals)
