"""Print the current second-factor code of the demo users (local only; see README "Demo users")."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from .seed_demo import DEMO_TOTP_KEY_HEX


class Command(BaseCommand):
    help = "Print the 6-digit code every demo user's authenticator shows now (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo codes are for local use only (DEBUG is off).")
        self.stdout.write(f"{totp(bytes.fromhex(DEMO_TOTP_KEY_HEX)):06d}")
