"""Production settings served over plain HTTP on loopback, for `make bench` only.

Everything else is production's (DEBUG off, manifest static files, every middleware); the TLS-only
settings are off because wrk talks HTTP to gunicorn directly, and the database connection is kept
for a minute (CONN_MAX_AGE), as a production deployment behind a pooler would.
"""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-key-never-used-outside-make-bench-0123456789abcdef")
# Production requires the address letters and e-mails link to; the benchmark's server is on loopback.
os.environ.setdefault("SERVICE_BASE_URL", "http://127.0.0.1:8000")

from mash.settings.production import *  # noqa: E402,F403
from mash.settings.production import DATABASES, VAR_DIR  # noqa: E402

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
STATIC_ROOT = VAR_DIR / "bench" / "static"
DATABASES["default"]["CONN_MAX_AGE"] = 60
ALLOW_DEMO_DATA = True  # seed_demo's users and teams in the benchmark's own database
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
