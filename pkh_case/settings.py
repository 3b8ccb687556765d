"""Settings for pkh-case: one file, every deployment difference comes from the environment.

Defaults give the embedded set-up (SQLite file, Celery tasks run in-process) so that
`make run` works on a fresh machine; production sets DATABASE_URL, CELERY_BROKER_URL,
SECRET_KEY, DEBUG=0 and ALLOWED_HOSTS (see README "Production").
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Translate a DATABASE_URL (postgres://user:pass@host:port/name or sqlite:///path) to Django."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        # sqlite:///relative.db -> "relative.db"; sqlite:////abs/path.db -> "/abs/path.db"
        name = path[1:] if path.startswith("/") else path
        if name and not os.path.isabs(name):
            name = str(BASE_DIR / name)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name or ":memory:",
            "OPTIONS": {"timeout": 20},
        }
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "pkh_case",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": int(os.environ.get("DB_CONN_MAX_AGE", "60")),
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported (use postgres:// or sqlite://)")


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-pkh-case-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "org",
    "beneficiaries",
    "casework",
    "p2k2",
    "mediation",
    "livelihood",
    "compliance",
    "graduation",
    "monitoring",
    "oversight",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.request_context.RequestContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "pkh_case.urls"
WSGI_APPLICATION = "pkh_case.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", "sqlite:///db.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login lockout (core.lockout): failures counted per username and per client address.
LOGIN_LOCKOUT_FAILURES = int(os.environ.get("LOGIN_LOCKOUT_FAILURES", "5"))
LOGIN_LOCKOUT_ADDRESS_FAILURES = int(os.environ.get("LOGIN_LOCKOUT_ADDRESS_FAILURES", "20"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))

# Sessions end after 8 idle hours (a field day) and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = False

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_BYTES", str(200 * 1024 * 1024)))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: without a broker, tasks run eagerly in the web process (the embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A page that queues a job must not hang when the broker is down: fail fast, say so.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "socket_connect_timeout": 2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BEAT_SCHEDULE: dict = {
    "compliance-nightly-refresh": {
        "task": "compliance.tasks.nightly_refresh_task",
        "schedule": crontab(hour=1, minute=30),  # Asia/Jakarta (CELERY_TIMEZONE)
    },
    # The "Kandidat graduasi" lists: every household classified as of the 1st of the month.
    "graduation-monthly-screening": {
        "task": "graduation.tasks.monthly_screening_task",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),  # Asia/Jakarta (CELERY_TIMEZONE)
    },
    # The monthly transaction-monitoring report of the previous month, for every city with households.
    "monitoring-monthly-reports": {
        "task": "monitoring.report_tasks.monthly_reports_task",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),  # Asia/Jakarta (CELERY_TIMEZONE)
    },
    # The facilitator activity audit: the previous month complete, after the 02:00 jobs ...
    "oversight-monthly-activity": {
        "task": "oversight.tasks.monthly_activity_task",
        "schedule": crontab(day_of_month=1, hour=3, minute=0),  # Asia/Jakarta (CELERY_TIMEZONE)
    },
    # ... and the current month, live, every hour.
    "oversight-current-activity": {
        "task": "oversight.tasks.current_activity_task",
        "schedule": crontab(minute=20),
    },
}
# Queues: file imports and report builds each on their own queue, so a 200 MB bank file or the 1st-of-the-month
# reports never hold up (or wait behind) the rest; docker-compose.yml runs a worker per queue. Everything else
# (compliance recomputation, any new task) goes to the default queue "celery". CELERY_SINGLE_QUEUE=1 sends every
# task to the default queue: one worker consumes all (a small installation; the test suite's worker).
CELERY_TASK_ROUTES = {} if env_bool("CELERY_SINGLE_QUEUE", False) else {
    "beneficiaries.tasks.household_import_task": {"queue": "imports"},
    "monitoring.import_tasks.*": {"queue": "imports"},
    "monitoring.report_tasks.*": {"queue": "reports"},
    "graduation.tasks.*": {"queue": "reports"},
    "oversight.tasks.*": {"queue": "reports"},
}
# A job (import, report) whose worker vanished without a word stops blocking a new start after this long.
JOB_STALE_SECONDS = int(os.environ.get("JOB_STALE_SECONDS", str(3 * 3600)))
# Task modules not named tasks.py (autodiscover_tasks finds only those): the worker must know them.
CELERY_IMPORTS = ["monitoring.report_tasks", "monitoring.import_tasks"]

# REST API (/api/v1/): tokens for integrations, the browser's session (with CSRF) for pages' scripts; the same
# scoping as the pages (org.access) through the querysets; JSON only; OpenAPI 3 schema from the code.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.RoleAccess"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "pkh-case API",
    "DESCRIPTION": "Households (KPM), home visits, P2K2, cases, graduation and transaction monitoring of PKH. "
                   "Authenticate with `Authorization: Token <key>` (tokens at /accounts/tokens/) or the browser session.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],  # schema and docs: signed-in users
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" or "kind": one schema name per choice set.
    "ENUM_NAME_OVERRIDES": {
        "HouseholdStatusEnum": "beneficiaries.models.Household.Status",
        "MeetingStatusEnum": "p2k2.models.Meeting.Status",
        "CaseStatusEnum": "mediation.models.Case.Status",
        "ReferralStatusEnum": "mediation.models.Referral.Status",
        "CaseEventKindEnum": "mediation.models.CaseEvent.Kind",
        "ReferralKindEnum": "mediation.models.Referral.Kind",
        "ProposalStatusEnum": "graduation.models.Proposal.Status",
        "ProposalKindEnum": "graduation.models.Proposal.Kind",
        "BankEventKindEnum": "monitoring.models.EventKind",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Production hardening: on whenever DEBUG is off (python manage.py check --deploy is clean).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies append to X-Forwarded-For in front of the app (the client's address is that many
# hops from the right; 0 ignores the header). Sign-in lockout per address and the audit trail rely on it.
TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", "1"))
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]  # container health checks speak plain HTTP inside the network
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Map tiles of the facilitator map (oversight): an XYZ tile URL ({s}, {z}, {x}, {y}) and its attribution.
# Empty MAP_TILE_URL = no tiles: the map draws its points on a plain background.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = os.environ.get(
    "MAP_TILE_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


def tile_image_source(url: str) -> str:
    """The CSP img-src entry for the tile host ("https://tile.example.org", "{s}" subdomains as a wildcard)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f" {parts.scheme}://{parts.netloc.replace('{s}', '*')}"


# The pages load only their own scripts and styles (no inline <script>): see core.middleware.
CONTENT_SECURITY_POLICY = os.environ.get(
    "CONTENT_SECURITY_POLICY",
    f"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:{tile_image_source(MAP_TILE_URL)}; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request logs carry URLs only; personal identifiers never appear in URLs or query strings.
        "django.request": {"level": "WARNING"},
    },
}
