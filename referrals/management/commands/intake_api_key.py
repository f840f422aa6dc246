"""Make or revoke an agency's key for the intake API.

    manage.py intake_api_key create durham-police "Domestic abuse notifications"
    manage.py intake_api_key revoke 12 --reason "Leaked in a log file"
    manage.py intake_api_key list

The key is printed once, when it is made; only its SHA-256 is stored.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from agencies.authentication import api_token_create, api_token_revoke
from agencies.models import Agency, ApiToken

ACTOR = "manage.py intake_api_key"


class Command(BaseCommand):
    help = "Make, list or revoke an agency's intake API key (shown once when made)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("agency", help="the agency's slug")
        create.add_argument("name", help="what the key is for, e.g. the partner's system")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("token_id", type=int)
        revoke.add_argument("--reason", required=True)
        sub.add_parser("list")

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action}")(**options)

    def _create(self, *, agency: str, name: str, **_):
        found = Agency.objects.filter(slug=agency, is_active=True).first()
        if found is None:
            raise CommandError(f"No active agency with the slug {agency!r}.")
        token, key = api_token_create(found, name=name, by=ACTOR)
        self.stdout.write(f"Key {token.pk} for {found} made. Copy it now: it cannot be shown again.")
        self.stdout.write(key)

    def _revoke(self, *, token_id: int, reason: str, **_):
        token = ApiToken.objects.filter(pk=token_id).first()
        if token is None:
            raise CommandError(f"No API key {token_id}.")
        api_token_revoke(token, by=ACTOR, reason=reason)
        self.stdout.write(f"Key {token_id} revoked.")

    def _list(self, **_):
        for token in ApiToken.objects.select_related("agency"):
            state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
            self.stdout.write(f"{token.pk}\t{token.prefix}…\t{token.agency.slug}\t{token.name}\t{state}")
