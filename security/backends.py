"""The service's own passwords, which a council that signs staff in through its identity provider
switches off (LOCAL_PASSWORDS=false): then no password is checked at all, whatever posts one."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


def local_passwords() -> bool:
    return settings.LOCAL_PASSWORDS


class LocalPasswordBackend(ModelBackend):
    """Django's ModelBackend while local passwords are on; refuses every password once they are off.
    Signed-in sessions are still found by it (``get_user``), whichever way they signed in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not local_passwords():
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
