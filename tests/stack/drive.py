"""The MASH lead's side of the stack test, run inside the checkout under test against its database:

    .venv/bin/python -m tests.stack.drive N S

prints a new intake API key for the Police (first line), decides each referral the API brings in as
it arrives until N have their outcome recorded, waits up to S seconds for the outbox to empty, and
prints what the database then holds (last line, JSON). One process, since each start costs seconds.

It writes through the app's own actions (the same ones the pages call), signed in as the demo lead,
so that decisions and outcomes are written while the web process saves referrals and the worker
and beat send mail: the contention `make run` must survive.
"""

from __future__ import annotations

import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mash.settings.local")
django.setup()

from django.db import OperationalError  # noqa: E402
from django.utils import timezone  # noqa: E402

from agencies.authentication import api_token_create  # noqa: E402
from agencies.models import Agency, Team  # noqa: E402
from mash.models import User  # noqa: E402
from mash.outbox.models import OutboxMessage  # noqa: E402
from notifications.models import Letter  # noqa: E402
from referrals.models import Referral  # noqa: E402
from referrals.states import Rag, Status  # noqa: E402
from triage.decisions.threshold import ChildDecisionInput, referral_decide  # noqa: E402
from triage.models_decisions import ConsentBasis  # noqa: E402
from triage.multiagency import actions as outcomes  # noqa: E402
from triage.multiagency import strategy  # noqa: E402
from triage.multiagency.models import Outcome  # noqa: E402

# The stack test's referrals carry Idempotency-Key "stack-<n>" (stored as "api:<key id>:stack-<n>");
# n picks the journey.
MARK = ":stack-"
ATTENDEES = [{"name": "Lee Lead", "agency": "MASH"}, {"name": "Pat Constable", "agency": "Police"}]


def make_key() -> None:
    _token, key = api_token_create(Agency.objects.get(slug="police"), name="stack test", by="stack test")
    print(key, flush=True)


def _child_decision(referral: Referral, rag: str) -> ChildDecisionInput:
    child = referral.children.get()
    common = {"child_id": child.pk, "rag": rag, "rationale": f"{rag} on the information given"}
    if rag == Rag.BLUE:
        return ChildDecisionInput(
            **common, level_of_need=1, consent_basis=ConsentBasis.NOT_NEEDED, advice_given="Signposted"
        )
    if rag == Rag.GREEN:
        return ChildDecisionInput(
            **common, level_of_need=2, consent_basis=ConsentBasis.GIVEN, consent_reason="Mother agreed"
        )
    return ChildDecisionInput(
        **common,
        level_of_need=4,
        consent_basis=ConsentBasis.RISK,
        consent_reason="Seeking consent would put the child at risk",
    )


def _journey(referral: Referral, lead: User, team: Team) -> None:
    """Blue and Green: the decision is the outcome. Red: decision, strategy discussion, outcome."""
    n = int(referral.idempotency_key.rpartition(MARK)[2])
    rag = (Rag.BLUE, Rag.GREEN, Rag.RED)[n % 3]
    referral_decide(referral, decisions=[_child_decision(referral, rag)], by=lead)
    if rag != Rag.RED:
        return
    strategy.strategy_discussion_decide(referral, reason="Disclosure of harm", by=lead)
    outcomes.strategy_discussion_record(
        referral,
        held_at=timezone.now(),
        attendees=ATTENDEES,
        s47_enquiry=True,
        decision_rationale="Disclosure of harm",
        by=lead,
    )
    outcomes.outcome_record(
        referral,
        destination=Outcome.Destination.STRATEGY_S47,
        primary_need="N1",
        rationale="Section 47 enquiry agreed",
        recommendation="Visit today",
        team=team,
        by=lead,
    )


def decide(count: int, timeout: float = 300) -> None:
    lead = User.objects.get(username="lead")
    team = Team.objects.get(slug="assessment-1")
    done: set[int] = set()
    deadline = time.monotonic() + timeout
    while len(done) < count:
        if time.monotonic() > deadline:
            sys.exit(f"only {len(done)} of {count} referrals decided in {timeout:.0f} s")
        waiting = Referral.objects.filter(idempotency_key__contains=MARK, status=Status.RECEIVED)
        for referral in waiting.exclude(pk__in=done).order_by("pk"):
            try:
                _journey(referral, lead, team)
            except OperationalError as error:  # reported, never hidden: the test fails on it
                print(f"decide {referral.reference}: {type(error).__name__}: {error}", flush=True)
                raise
            done.add(referral.pk)
        time.sleep(0.2)
    print(f"decided {len(done)}", flush=True)


def settle(timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while OutboxMessage.objects.exclude(status=OutboxMessage.Status.DONE).exists():
        if time.monotonic() > deadline:
            break
        time.sleep(1)
    ours = Referral.objects.filter(idempotency_key__contains=MARK)
    summary = {
        "referrals": ours.count(),
        "outcomes": Outcome.objects.filter(referral__in=ours).count(),
        "letters": sorted(
            Letter.objects.filter(referral__in=ours).values_list("referral__reference", "message_id")
        ),
        "letters_sent": Letter.objects.filter(referral__in=ours, status=Letter.Status.SENT).count(),
        "outbox": [
            {
                "key": m.key,
                "status": m.status,
                "message_id": m.message_id,
                "reference": m.referral.reference if m.referral else "",
                "attempts": m.attempts,
                "resent_in_doubt": m.resent_in_doubt,
                "last_error": m.last_error,
            }
            for m in OutboxMessage.objects.select_related("referral").order_by("pk")
        ],
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    count, settle_seconds = sys.argv[1:]
    make_key()
    decide(int(count))
    settle(float(settle_seconds))
