"""Settings shared by every environment.

The environment is read here and nowhere else (django-environ). Every value has an
embedded default that runs the whole system on one machine with no server: SQLite,
a filesystem Celery broker and e-mail written to files under ``var/``.
"""

from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="insecure-local-development-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "security.apps.MashAdminConfig",  # the admin: second factor required, child reads audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "guardian",
    "crispy_forms",
    "crispy_forms_gds",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "drf_spectacular_sidecar",
    "mash",
    "agencies",
    "referrals",
    "triage",
    "notifications",
    "reports",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so only the service's own answers (all personal data) are marked no-store.
    "security.caching.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Ahead of CSRF's view check and the views' own: a method a view does not serve is a 405 to
    # anyone who reaches it (security/methods.py).
    "security.methods.DeclaredMethodsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Security (security, SECURITY.md): second factor on every staff route, session limits.
    "django_otp.middleware.OTPMiddleware",
    "security.middleware.SessionLimitsMiddleware",
    "security.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mash.exceptions.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "web.urls"
WSGI_APPLICATION = "mash.wsgi.application"
AUTH_USER_MODEL = "mash.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mash.context_processors.service",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'mash.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default has a web process, a worker and beat writing at once (docs/embedded-default.md).
    # WAL: readers never block the writer nor it them. IMMEDIATE: a transaction takes the write lock
    # when it begins, so it waits its turn (up to the busy timeout) instead of failing with "database
    # is locked" when it first writes. synchronous stays FULL: a commit survives a power cut.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=env.int("SQLITE_BUSY_TIMEOUT", default=30),
        init_command="PRAGMA journal_mode=WAL",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out sign-ins before any password check
    # Passwords held by the service, unless LOCAL_PASSWORDS is off (security/backends.py).
    "security.backends.LocalPasswordBackend",
    # The council's identity provider over OpenID Connect, when OIDC_RP_CLIENT_ID is set (security/sso.py).
    "security.sso.ProviderBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-gb"
# Rules (working hours, bank holidays) are in Europe/London; the database stores UTC.
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# GOV.UK Frontend and htmx come from the npm registry (package.json), never copied into the repository.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk-frontend", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# E-mail: files under var/mail by default; EMAIL_URL (smtp+tls://user:pass@host:587) in production.
_email = env.email_url("EMAIL_URL", default="filemail://")
if _email["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend":
    # django-environ reads filemail:///srv/mail as host "" and path "srv/mail", and filemail://var/mail
    # as host "var": the folder is what follows "filemail://", as written (relative to the checkout).
    _folder = unquote(env("EMAIL_URL", default="filemail://").partition("://")[2].partition("?")[0])
    _email["EMAIL_FILE_PATH"] = str(BASE_DIR / _folder) if _folder else str(VAR_DIR / "mail")
vars().update(_email)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="mash-no-reply@example.gov.uk")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# The channel for e-mail and outcome letters: "smtp" (EMAIL_URL above) or "notify" (GOV.UK Notify,
# docs/notify.md). Notify's templates are named by id; the callback token is the bearer token set on
# the service's delivery receipts callback.
MESSAGE_CHANNEL = env("MESSAGE_CHANNEL", default="smtp")
if MESSAGE_CHANNEL not in ("smtp", "notify"):
    raise ImproperlyConfigured(f"MESSAGE_CHANNEL must be smtp or notify, not {MESSAGE_CHANNEL!r}")
NOTIFY_API_KEY = env("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_EMAIL_TEMPLATE_ID = env("NOTIFY_EMAIL_TEMPLATE_ID", default="")
NOTIFY_LETTER_EMAIL_TEMPLATE_ID = env("NOTIFY_LETTER_EMAIL_TEMPLATE_ID", default="")
NOTIFY_CALLBACK_TOKEN = env("NOTIFY_CALLBACK_TOKEN", default="")
# How long the referrer can download the letter's file (Notify allows 1 to 78 weeks).
NOTIFY_FILE_RETENTION = env("NOTIFY_FILE_RETENTION", default="26 weeks")
NOTIFY_TIMEOUT = env.int("NOTIFY_TIMEOUT", default=20)
if MESSAGE_CHANNEL == "notify" and not (
    NOTIFY_API_KEY and NOTIFY_EMAIL_TEMPLATE_ID and NOTIFY_LETTER_EMAIL_TEMPLATE_ID
):
    raise ImproperlyConfigured(
        "MESSAGE_CHANNEL=notify needs NOTIFY_API_KEY, NOTIFY_EMAIL_TEMPLATE_ID and "
        "NOTIFY_LETTER_EMAIL_TEMPLATE_ID"
    )

# Celery: a filesystem broker by default (no server); Redis via CELERY_BROKER_URL in production.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(BROKER_DIR),
        "data_folder_out": str(BROKER_DIR),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
# Late acknowledgement: a task whose worker dies is redelivered, never lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Kept below the broker's visibility timeout so a slow task is never run twice at once.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "mash.exceptions.api_exception_handler",
    # JSON bodies are bounded in size and depth before they are parsed (security/request_limits.py);
    # form bodies by Django's own DATA_UPLOAD_MAX_MEMORY_SIZE.
    "DEFAULT_PARSER_CLASSES": [
        "security.request_limits.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
API_MAX_JSON_DEPTH = env.int("API_MAX_JSON_DEPTH", default=32)
SPECTACULAR_SETTINGS = {
    "TITLE": "MASH API",
    "DESCRIPTION": "Intake and staff API of the Multi-Agency Safeguarding Hub.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from the installed sidecar package, not a CDN (CSP: 'self' only).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Every endpoint's auth, permission, validation and domain errors, documented once.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "security.openapi.add_error_responses",
        "security.openapi.add_links",
    ],
    # The referral's yes/no questions share two choice sets; one name each in the schema.
    "ENUM_NAME_OVERRIDES": {
        "YesNoEnum": "referrals.forms.YES_NO",
        "YesNoNotKnownEnum": "referrals.forms.YES_NO_NOT_KNOWN",
        "RagEnum": "referrals.states.Rag",
        # A child may be unborn; an adult's sex does not offer it.
        "ChildSexEnum": "mash.codes.Sex",
        "AdultSexEnum": "referrals.forms.people.ADULT_SEX",
    },
}

# Every form renders through crispy-forms-gds, the GOV.UK Design System template pack.
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
# Inputs the pack does not class itself, styled as GOV.UK text inputs and selects.
CRISPY_CLASS_CONVERTERS = {
    "numberinput": "govuk-input",
    "dateinput": "govuk-input",
    "datetimeinput": "govuk-input",
    "timeinput": "govuk-input",
    "urlinput": "govuk-input",
    "selectmultiple": "govuk-select",
}

SERVICE_NAME = env("SERVICE_NAME", default="Multi-Agency Safeguarding Hub")
# The public address (scheme and host) a letter or e-mail gives, e.g. the challenge page.
SERVICE_BASE_URL = env("SERVICE_BASE_URL", default="http://127.0.0.1:8000")

# The public referral form is rate limited per client address (django-ratelimit counts in this cache).
# Per process by default; set CACHE_URL to a shared Redis cache when running more than one web process.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
RATELIMIT_USE_CACHE = "default"
REFERRAL_RATE_LIMIT = env("REFERRAL_RATE_LIMIT", default="10/m")  # referrals sent per address, not pages

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Query strings and known personal fields are scrubbed before any line is written (SECURITY.md).
    "filters": {"scrub_personal_data": {"()": "security.logging.ScrubPersonalData"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["scrub_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # runserver's request lines go through the scrubbing handler too (not Django's own).
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # WeasyPrint logs every rendering step (and its stylesheets at import) at INFO.
        "weasyprint": {"level": "WARNING"},
    },
}

# One beat process only (see README): it starts the sweepers; deadlines themselves are rows, not timers.
CELERY_BEAT_SCHEDULE = {
    "purge-no-consent-referrals": {
        "task": "mash.tasks.purge_no_consent_referrals",
        "schedule": crontab(hour=2, minute=30),
    },
    # Warnings, breaches and outbox republishing; expires so a backlog after an outage runs once.
    "sweep-deadlines": {
        "task": "notifications.tasks.sweep_deadlines",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # GOV.UK Notify's delivery statuses for what is still in flight (does nothing on SMTP).
    "poll-notify": {
        "task": "notifications.tasks.poll_notify",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
}

# --- Security (security, SECURITY.md) ---------------------------------------------------
# Sessions: idle and absolute limits in seconds, enforced by SessionLimitsMiddleware.
# Partner sign-in without a council account (docs/partner-sign-in.md): a one-time link per request,
# then a code e-mailed to the request's address, then a session for that one request.
PARTNER_LINK_HOURS = env.int("PARTNER_LINK_HOURS", default=72)
PARTNER_CODE_MINUTES = env.int("PARTNER_CODE_MINUTES", default=10)
PARTNER_CODE_ATTEMPTS = env.int("PARTNER_CODE_ATTEMPTS", default=5)
PARTNER_CODES_PER_LINK = env.int("PARTNER_CODES_PER_LINK", default=5)
PARTNER_SESSION_MINUTES = env.int("PARTNER_SESSION_MINUTES", default=60)
PARTNER_SIGN_IN_RATE = env("PARTNER_SIGN_IN_RATE", default="30/h")  # sign-in posts per client address

SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=900)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=36000)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Failed sign-ins (django-axes): lock the username from any address, and the address for any
# username, after AXES_FAILURE_LIMIT failures. AXES_IPWARE_PROXY_COUNT is the number of trusted
# reverse proxies in front of Django (0: use the socket address only, ignore X-Forwarded-For).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "mash.ip.client_ip"
# The public form's rate limits count the same client address (same proxy rule) as the lockout.
RATELIMIT_IP_META_KEY = "mash.ip.client_ip"
AXES_LOCKOUT_TEMPLATE = "security/locked_out.html"
AXES_VERBOSE = False

# Second factor (django-otp).
OTP_TOTP_ISSUER = SERVICE_NAME
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1


# Single sign-on for staff over OpenID Connect (mozilla-django-oidc; docs/single-sign-on.md). Off
# while OIDC_RP_CLIENT_ID is empty. Endpoints are the provider's (Entra ID: its app registration's
# "Endpoints"); the ID token must be signed (RS256) and name this client as its audience.
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
# Optional: the ID token's claims are enough when it carries the e-mail address.
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
# The provider's end_session_endpoint: signing out of the service signs out of the provider too.
OIDC_OP_LOGOUT_ENDPOINT = env("OIDC_OP_LOGOUT_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid email profile")
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # the id_token_hint of the provider's sign-out
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
# The claim that identifies a person for good ("oid" on Entra ID is the same for every app).
OIDC_SUBJECT_CLAIM = env("OIDC_SUBJECT_CLAIM", default="sub")
# Off: only people the service already has (matched by subject or e-mail) may sign in. On: a new
# person gets an account, with the roles OIDC_GROUP_ROLES maps their groups to (or none).
OIDC_CREATE_USER = env.bool("OIDC_CREATE_USER", default=False)
# {"<provider group id or name>": "<role>"}: roles follow the provider's groups at each sign-in.
# Empty: roles are granted in the service only.
OIDC_GROUP_ROLES = env.json("OIDC_GROUP_ROLES", default={})
OIDC_GROUPS_CLAIM = env("OIDC_GROUPS_CLAIM", default="groups")
# The provider's second factor counts when the ID token's amr names one of these methods or its acr
# is one of these values; otherwise the service asks for its own (TOTP).
OIDC_MFA_AMR = env.list("OIDC_MFA_AMR", default=["mfa", "otp", "hwk", "ngcmfa"])
OIDC_MFA_ACR = env.list("OIDC_MFA_ACR", default=[])
# Who a person without a role should ask, as the refusal pages say it.
SSO_ACCESS_CONTACT = env("SSO_ACCESS_CONTACT", default="your MASH administrator")
# Off: no password form and no password sign-in; staff sign in through the provider only.
LOCAL_PASSWORDS = env.bool("LOCAL_PASSWORDS", default=True)

# Content Security Policy (django-csp 4): no inline script or style anywhere; the QR code is an
# inline <svg> element, which is markup, not script. CSP_REPORT_ONLY=true reports instead of blocking.
_sso_origins = [
    f"{_url.scheme}://{_url.netloc}" for _url in [urlsplit(OIDC_OP_LOGOUT_ENDPOINT)] if _url.netloc
]
_csp = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # Signing out is a form whose answer redirects to the provider's sign-out.
        "form-action": [SELF, *_sso_origins],
        "frame-ancestors": [NONE],
    }
}
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp
else:
    CONTENT_SECURITY_POLICY = _csp
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
