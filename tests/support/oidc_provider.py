"""A real OpenID provider on loopback for the single sign-on tests: tests/sso_provider (a tiny
Django project with django-oauth-toolkit's OIDC support) run as a second process, with its own
SQLite database, a fresh RSA signing key, the service's client application and a few people.

``start(...)`` returns a running :class:`Provider`; ``provider.stop()`` ends it. A test's browser
is a ``requests.Session`` (cookies for both sites, redirects followed): ``provider.sign_in`` types
a person's password into the provider's own sign-in form, as they would.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "tests.sso_provider.settings"
PASSWORD = "provider-password-1"  # noqa: S105 - the throwaway provider's people
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# The provider's people. "signed-in-with-mfa" puts amr=["pwd","mfa"] in their ID token.
PEOPLE = [
    {"username": "ada", "email": "ada@council.example", "first_name": "Ada", "last_name": "Okafor",
     "groups": ["signed-in-with-mfa", "MASH-Screening"]},
    {"username": "ben", "email": "ben@council.example", "first_name": "Ben", "last_name": "Hale"},
    {"username": "cat", "email": "cat@council.example", "first_name": "Cat", "last_name": "Nair",
     "groups": ["signed-in-with-mfa"]},
    {"username": "dan", "email": "dan@council.example", "first_name": "Dan", "last_name": "Ruiz",
     "groups": ["signed-in-with-mfa"]},
    {"username": "eve", "email": "eve@council.example", "first_name": "Eve", "last_name": "Shaw",
     "groups": ["signed-in-with-mfa", "MASH-Screening"]},
]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _key_file(folder: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = folder / "provider-key.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return path


@dataclass
class Provider:
    url: str
    client_id: str
    client_secret: str
    process: subprocess.Popen = field(repr=False)

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    def settings(self) -> dict:
        """The service's settings for signing in through this provider."""
        return {
            "OIDC_RP_CLIENT_ID": self.client_id,
            "OIDC_RP_CLIENT_SECRET": self.client_secret,
            "OIDC_OP_ISSUER": self.issuer,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/authorize/",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/token/",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/.well-known/jwks.json",
            "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/userinfo/",
            "OIDC_OP_LOGOUT_ENDPOINT": f"{self.issuer}/logout/",
        }

    def sign_in(self, browser: requests.Session, page: requests.Response, username: str, **kw):
        """On the provider's sign-in page: type the person's name and password and press Sign in."""
        assert page.url.startswith(f"{self.url}/accounts/login/"), page.url
        token = CSRF.search(page.text).group(1)
        data = {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
        return browser.post(page.url, data=data, timeout=30, **kw)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def _env(folder: Path, key: Path, url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        PYTHONPATH=str(ROOT),
        PROVIDER_DB=str(folder / "provider.sqlite3"),
        PROVIDER_KEY=str(key),
        PROVIDER_ISSUER=f"{url}/o",
    )
    return env


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the test OpenID provider exited with {process.returncode}")
        try:
            if requests.get(f"{url}/o/.well-known/openid-configuration", timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the test OpenID provider did not start within 30 seconds")


def start(folder: Path, service_url: str) -> Provider:
    """Start the provider for the service at ``service_url`` (its callback and sign-in page are the
    application's redirect URIs)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = _env(folder, _key_file(folder), url)
    run = [sys.executable, "-m", "django"]
    subprocess.run([*run, "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True)
    client_id, client_secret = "mash-" + secrets.token_hex(4), secrets.token_urlsafe(24)
    spec = {
        "client_id": client_id,
        "client_secret": client_secret,
        "redirect_uri": f"{service_url}/accounts/sso/callback/",
        "post_logout_redirect_uri": f"{service_url}/accounts/login/",
        "password": PASSWORD,
        "people": PEOPLE,
    }
    seed = [sys.executable, "-m", "tests.sso_provider.seed", json.dumps(spec)]
    subprocess.run(seed, env=env, cwd=ROOT, check=True)
    log = open(folder / "provider.log", "wb")  # noqa: SIM115 - kept open for the process's life
    process = subprocess.Popen(
        [*run, "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(url, process)
    except RuntimeError:
        process.kill()
        raise
    return Provider(url, client_id, client_secret, process)
