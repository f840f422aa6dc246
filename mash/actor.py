"""Who an action is done by, as every action's ``by`` and the audit's ``actor`` take it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from mash.models import User

# A signed-in user; the public (an anonymous user, on the referral form); or a named process such as
# "seed_demo", or None for the service itself (the audit records it as "system").
Actor = Union["User", "AnonymousUser", str, None]  # noqa: UP007 - the names exist only for type checkers
