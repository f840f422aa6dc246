"""API keys for partner systems: made (shown once), revoked, and checked on each request.

A request sends ``Authorization: Token <key>``. The key identifies one agency; what it may do is
decided by the endpoint (the intake API accepts referrals from any active agency's key).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from mash import audit
from mash.actor import Actor

from .models import Agency, ApiToken

KEY_PREFIX = "mash_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def api_token_create(agency: Agency, *, name: str, by: Actor) -> tuple[ApiToken, str]:
    """Make a key for ``agency``. Returns the row and the key itself, which is never stored or shown again.

    Causes: the token row (hash only) and an audit row.
    """
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            agency=agency,
            name=name,
            key_hash=hash_key(key),
            prefix=key[: len(KEY_PREFIX) + 6],
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        audit.record_write("api_token.create", actor=by, obj=token, reason=f"API key made for {agency}")
    return token, key


def api_token_revoke(token: ApiToken, *, by: Actor, reason: str) -> ApiToken:
    """Stop a key working at once. Causes: ``revoked_at`` stamped (first revocation wins) and an audit row."""
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        token.refresh_from_db()
        audit.record_write("api_token.revoke", actor=by, obj=token, reason=reason)
    return token


@dataclass(frozen=True)
class AgencyClient:
    """The caller behind a valid key: a partner system, not a person (it has no account to sign in to)."""

    token: ApiToken

    is_authenticated = True
    is_anonymous = False

    @property
    def agency(self) -> Agency:
        return self.token.agency

    def get_username(self) -> str:
        return self.token.label


class AgencyTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the key as: Authorization: Token <key>")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid API key.") from None
        token = (
            ApiToken.objects.select_related("agency")
            .filter(key_hash=hash_key(key), revoked_at__isnull=True, agency__is_active=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return AgencyClient(token), token

    def authenticate_header(self, request) -> str:
        return self.keyword


class IsAgencyClient(permissions.BasePermission):
    """Only a partner system with a valid agency key (not a signed-in member of staff)."""

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ApiToken)


class AgencyTokenScheme(OpenApiAuthenticationExtension):
    """Documents the key in the OpenAPI schema."""

    target_class = "agencies.authentication.AgencyTokenAuthentication"
    name = "agencyToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An agency's API key, sent as `Token <key>`. Ask the MASH administrator for one.",
        }
