"""What triage announces for the layers above it to act on.

Django signals sent with ``send`` (not ``send_robust``), inside the transaction of the action that
sends them: a receiver's failure rolls the action back, so an outcome is never committed without the
work it causes (the outcome letter and its deadline).
"""

from django.dispatch import Signal

# An outcome the professional referrer must be told of has been decided: a Blue or Green threshold
# decision, or the outcome the MASH recorded. Arguments: ``referral`` (locked by the sender), ``by``,
# ``outcome`` (a letter outcome code, or None for the referral's recorded outcome) and ``decided_at``
# (or None for the recorded outcome's time). The notifications app queues the letter.
outcome_decided = Signal()
