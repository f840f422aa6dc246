"""What triage announces for the layers above it to act on, and what it asks of them.

Django signals sent with ``send`` (not ``send_robust``), inside the transaction of the action that
sends them: a receiver's failure rolls the action back, so an outcome is never committed without the
work it causes (the outcome letter and its deadline).
"""

from django.dispatch import Signal

from mash.providers import Provider

# An outcome the professional referrer must be told of has been decided: a Blue or Green threshold
# decision, or the outcome the MASH recorded. Arguments: ``referral`` (locked by the sender), ``by``,
# ``outcome`` (a letter outcome code, or None for the referral's recorded outcome) and ``decided_at``
# (or None for the recorded outcome's time). The notifications app queues the letter.
outcome_decided = Signal()

# Answers triage asks of the layers above it (mash/providers.py), supplied in their ready().

# referral ids -> {referral id: the most serious open alert level}, for a page of a queue.
open_alert_levels = Provider("triage.signals.open_alert_levels", "the notifications app (its sweeper)")

# (referral id, as_at) -> the census rule violations the referral's records now give.
census_violations = Provider("triage.signals.census_violations", "the reports app (its CIN rules)")

# referral -> its outcome letters with their delivery record, newest first, for the referral's page.
referral_letters = Provider("triage.signals.referral_letters", "the notifications app (its letters)")
