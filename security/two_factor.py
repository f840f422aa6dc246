"""Second-factor devices: a TOTP app and static recovery codes (django-otp), and the audit of each use."""

from __future__ import annotations

import secrets

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from mash import audit
from mash.actor import Actor

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp(user) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled (made on first visit, kept across reloads)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG (no script, no inline style: CSP-safe)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def _new_code() -> str:
    # 10 characters of base32-ish alphabet without look-alikes; shown in two groups of five.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def recovery_codes_issue(user, *, by: Actor) -> list[str]:
    """Replace the user's recovery codes with a fresh set and return them (shown once, stored only
    in django-otp's static token table). Writes an audit row."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        audit.record(audit.AuditEvent.Kind.AUTH, "auth.recovery_codes_issued", actor=by, obj=user)
    return codes


def totp_confirm(request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm an enrolling TOTP device with a code from the app; on success the session is
    verified and a fresh set of recovery codes is returned (to be shown once). None if wrong."""
    if not device.verify_token(token):
        return None
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
        audit.record(
            audit.AuditEvent.Kind.AUTH, "auth.second_factor_enrolled", actor=device.user, obj=device.user
        )
        codes = recovery_codes_issue(device.user, by=device.user)
    otp_login(request, device)
    return codes


def verify(request, token: str):
    """Check a code against the user's devices; on success mark the session verified. Each
    attempt is audited; django-otp throttles repeated failures per device."""
    user = request.user
    device = match_token(user, token)
    ip = audit.client_ip(request)
    if device is None:
        audit.record(
            audit.AuditEvent.Kind.AUTH, "auth.second_factor_failed", actor=user, obj=user, ip_address=ip
        )
        return None
    otp_login(request, device)
    used_recovery = isinstance(device, StaticDevice)
    audit.record(
        audit.AuditEvent.Kind.AUTH,
        "auth.second_factor_verified",
        actor=user,
        obj=user,
        ip_address=ip,
        details={"method": "recovery_code" if used_recovery else "totp"},
    )
    return device


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
