"""Single sign-on for staff over OpenID Connect (mozilla-django-oidc), as councils run Microsoft
Entra ID. The provider says who the person is; the service still says what they may do: a person is
matched to an existing account by the provider's subject, or at first by e-mail (the subject is then
stored), and their roles are the service's own unless OIDC_GROUP_ROLES maps the provider's groups to
roles. The provider's second factor counts when its ID token says one was used (``amr``/``acr``).

The backend leaves its reason for refusing on the request (``sso_refusal``) and the ID token's
claims (``sso_claims``), for the callback view to say why or to accept the second factor.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from mash import audit
from mash.actor import Actor
from mash.roles import Role

# django-otp device that stands for "the provider's second factor": it has no codes, so nothing
# typed into the service's own second-factor step ever matches it.
PROVIDER_DEVICE_NAME = "Council sign-in second factor"


class Refusal:
    """Why the provider's answer did not sign a person in (the refused page's wording keys)."""

    STATE = "state"  # the answer was not for a sign-in this browser started (forged or replayed)
    PROVIDER = "provider"  # the provider refused, or its answer could not be checked
    UNKNOWN = "unknown"  # no account matches, and accounts are not created
    DISABLED = "disabled"


def configured() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


def provider_second_factor(claims: dict) -> bool:
    """Whether the ID token says the provider asked for a second factor."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if set(amr) & set(settings.OIDC_MFA_AMR):
        return True
    return bool(claims.get("acr")) and claims.get("acr") in settings.OIDC_MFA_ACR


def provider_device(user) -> StaticDevice:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=PROVIDER_DEVICE_NAME, defaults={"confirmed": True}
    )
    return device


def has_a_role(user) -> bool:
    return user.has_role(*Role)


def logout_url(request) -> str:
    """The provider's end_session_endpoint for this session ("" if it did not sign in through it)."""
    id_token = request.session.get("oidc_id_token")
    if not (configured() and settings.OIDC_OP_LOGOUT_ENDPOINT and id_token):
        return ""
    params = {
        "id_token_hint": id_token,
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri("/accounts/login/"),
    }
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{urlencode(params)}"


def _mapped_roles(claims: dict) -> set[str]:
    groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    known = set(Role.values)
    return {role for group, role in settings.OIDC_GROUP_ROLES.items() if group in groups and role in known}


def roles_sync_from_provider(user, claims: dict, *, by: Actor) -> None:
    """Give the user the roles their provider groups map to, and take away the other roles (only
    roles: other groups are left alone). Audited when anything changes."""
    wanted = _mapped_roles(claims)
    with transaction.atomic():
        current = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        if current == wanted:
            return
        user.groups.remove(*Group.objects.filter(name__in=current - wanted))
        user.groups.add(*Group.objects.filter(name__in=wanted - current))
        audit.record(
            audit.AuditEvent.Kind.AUTH,
            "auth.roles_from_provider",
            actor=by,
            obj=user,
            details={"added": sorted(wanted - current), "removed": sorted(current - wanted)},
        )
    user.__dict__.pop("role_names", None)


def _refuse(request, reason: str, message: str):
    request.sso_refusal = reason
    raise SuspiciousOperation(message)


class ProviderBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, read only once SSO is configured (its settings are required),
    checking the ID token's audience and issuer, and matching by subject before e-mail."""

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if request is None or not configured() or "code" not in request.GET:
            return None
        super().__init__()
        return super().authenticate(request, **kwargs)

    get_user = ModelBackend.get_user  # refuses a disabled account's existing session

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            _refuse(self.request, Refusal.PROVIDER, "ID token is for another client")
        if settings.OIDC_OP_ISSUER and payload.get("iss") != settings.OIDC_OP_ISSUER:
            _refuse(self.request, Refusal.PROVIDER, "ID token from another issuer")
        self.request.sso_claims = payload
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        if not settings.OIDC_OP_USER_ENDPOINT:
            return dict(payload)
        info = super().get_userinfo(access_token, id_token, payload)
        if info.get("sub") != payload.get("sub"):
            _refuse(self.request, Refusal.PROVIDER, "userinfo is about someone else")
        return {**info, **payload}

    def verify_claims(self, claims):
        return bool(claims.get(settings.OIDC_SUBJECT_CLAIM))

    def filter_users_by_claims(self, claims):
        by_subject = self.UserModel.objects.filter(oidc_subject=claims[settings.OIDC_SUBJECT_CLAIM])
        if by_subject.exists():
            return by_subject
        email = (claims.get("email") or "").strip()
        if not email:
            return self.UserModel.objects.none()
        # An account already linked to another subject is someone else's, whatever its e-mail.
        return self.UserModel.objects.filter(email__iexact=email, oidc_subject="")

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is None:
            self.request.sso_refusal = Refusal.UNKNOWN
        return user

    def update_user(self, user, claims):
        if not user.is_active:
            self.request.sso_refusal = Refusal.DISABLED
            return user
        subject = claims[settings.OIDC_SUBJECT_CLAIM]
        if user.oidc_subject != subject:
            user.oidc_subject = subject
            user.save(update_fields=["oidc_subject"])
            audit.record(audit.AuditEvent.Kind.AUTH, "auth.sso_subject_linked", actor=user, obj=user)
        if settings.OIDC_GROUP_ROLES:
            roles_sync_from_provider(user, claims, by=user)
        return user

    def create_user(self, claims):
        email = (claims.get("email") or "").strip()
        if not email:
            _refuse(self.request, Refusal.UNKNOWN, "no e-mail to make an account from")
        user = self.UserModel.objects.create_user(
            username=email[:150],
            email=email,
            first_name=(claims.get("given_name") or "")[:150],
            last_name=(claims.get("family_name") or "")[:150],
            oidc_subject=claims[settings.OIDC_SUBJECT_CLAIM],
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        audit.record(audit.AuditEvent.Kind.AUTH, "auth.sso_account_created", actor=user, obj=user)
        if settings.OIDC_GROUP_ROLES:
            roles_sync_from_provider(user, claims, by=user)
        return user
