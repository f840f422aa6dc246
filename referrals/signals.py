"""What intake announces for the layers above it to act on.

Sent with ``send`` (not ``send_robust``) inside the intake transaction: a receiver's failure rolls the
submission back, so a referral never exists without the work its arrival causes.
"""

from django.dispatch import Signal

# A referral has been received and saved with its children and adults. Arguments: ``referral``,
# ``policy`` (the version in force at receipt) and ``by``. Triage starts its clocks and, out of
# hours, routes a referral indicating significant harm to the emergency duty team.
referral_received = Signal()
