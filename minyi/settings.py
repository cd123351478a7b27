"""Django settings for Minyi: the development and test profile, and the base of production.

All values that differ between deployments come from the environment through ``minyi.env`` and are
parsed strictly. Production uses ``minyi.settings_production`` on top of this module.
"""

from __future__ import annotations

import os
from datetime import time, timedelta
from pathlib import Path

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from minyi.env import (
    EnvError,
    Weekly,
    env_bool,
    env_clock,
    env_int,
    env_interval,
    env_list,
    env_networks,
    env_sms,
    env_str,
    env_wechat,
    env_weekly,
    parse_cache_url,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-never-use-in-production-0123456789abcdef")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

DATABASES = {
    "default": parse_database_url(
        env_str("DATABASE_URL", f"sqlite:///{(VAR_DIR / 'minyi.sqlite3').relative_to(BASE_DIR)}"),
        base_dir=BASE_DIR,
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A streaming read replica (docs/scale.md): pages that only read go there (minyi/replica.py).
if REPLICA_DATABASE_URL := env_str("REPLICA_DATABASE_URL", ""):
    DATABASES["replica"] = parse_database_url(REPLICA_DATABASE_URL, base_dir=BASE_DIR)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["minyi.replica.ReplicaRouter"]  # sends nothing anywhere without a replica
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc as our own static files (no CDN)
    "csp",
    "django_prometheus",  # request and database series for /metrics (minyi/monitoring.py)
    "minyi.audit",
    "minyi.org",
    "minyi.workdays",
    "minyi.worker",
    "minyi.appeals",
    "minyi.ledger",
    "minyi.kpi",
    "minyi.supervision",
    "minyi.insight",
    "minyi.study",
    "minyi.api",
    "minyi.open311",
    "minyi.outreach",
    "minyi.symposia",
    "minyi.evaluation",
    "minyi.assistance",
    "minyi.partybuilding",
    "minyi.exemplars",
    "minyi.reports",
    # The demo district, its campaign and the volume generators of the benchmarks (seed_demo); no other
    # app imports it, so a deployment could leave it out.
    "minyi.demo",
]

MIDDLEWARE = [
    "minyi.logs.RequestIdMiddleware",  # first: every later log line carries the request's id
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "minyi.inputs.StrangerInputMiddleware",  # NUL bytes, surrogates, deep JSON, oversized bodies → 400
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "minyi.audit.middleware.AuditContextMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "minyi.urls"
WSGI_APPLICATION = "minyi.wsgi.application"
ASGI_APPLICATION = "minyi.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "minyi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "minyi.org.context_processors.staff",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Every password check goes through the login delay (minyi/org/auth.py): the staff login, the admin site
# and any other caller of authenticate().
AUTHENTICATION_BACKENDS = ["minyi.org.auth.LoginGuardBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# A refused form gets the site's own Chinese page with a way back (minyi/views.py), not Django's English one.
CSRF_FAILURE_VIEW = "minyi.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
# The Content-Security-Policy of every page, in every profile (docs/security.md, "Content Security Policy"):
# everything from our own origin, no inline script, no plugins, never framed. Styles may be inline: ECharts'
# tooltips and Swagger UI write style attributes, and styles run no code. (django-csp leaves Django's debug
# pages for 404 and 500 without it while DEBUG is on.)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Login delays (minyi/org/throttle.py), counted per user name and client address together: after this
# many failures in a row the next try waits 2^failures seconds, at most LOGIN_DELAY_MAX; failures are
# forgotten after LOGIN_FAILURES_KEPT without a new one. An unlock code (phone or e-mail) clears them.
for _old in ("LOGIN_LOCKOUT_FAILURES", "LOGIN_LOCKOUT_MINUTES"):
    if _old in os.environ:  # a deployment that set the old lock would silently lose its setting
        raise EnvError(f"{_old} was replaced by LOGIN_DELAY_AFTER_FAILURES and LOGIN_DELAY_MAX (README)")
LOGIN_DELAY_AFTER_FAILURES = env_int("LOGIN_DELAY_AFTER_FAILURES", 3, minimum=1)
LOGIN_DELAY_MAX = env_interval("LOGIN_DELAY_MAX", timedelta(minutes=15))
LOGIN_FAILURES_KEPT = env_interval("LOGIN_FAILURES_KEPT", timedelta(hours=24))
LOGIN_UNLOCK_CODE_VALID = env_interval("LOGIN_UNLOCK_CODE_VALID", timedelta(minutes=15))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "minyi" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "minyi" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CACHES = {"default": parse_cache_url(env_str("CACHE_URL", "locmem://"))}

# The proxies (load balancers) in front of the web processes: only a request arriving from one of them
# has its X-Forwarded-For read (minyi.audit.middleware.client_ip). Empty: the client is REMOTE_ADDR.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")

# Rate limits per client address: name → (requests, seconds). A count of 0 switches a limit off.
MINYI_RATE_LIMITS = {
    "appeal_submit": (env_int("RATE_APPEAL_SUBMIT", 10, minimum=0), 600),
    "appeal_query": (env_int("RATE_APPEAL_QUERY", 30, minimum=0), 600),
    "appeal_query_wrong": (env_int("RATE_APPEAL_QUERY_WRONG", 5, minimum=0), 900),
    # Open311 POSTs per API key (an integration relays many citizens, so more than one address gets).
    "open311_post": (env_int("RATE_OPEN311_POST", 600, minimum=0), 600),
    # Asking for and entering login unlock codes, per client address (each user also gets at most
    # three codes an hour, and each code five wrong tries: minyi/org/throttle.py).
    "login_unlock": (env_int("RATE_LOGIN_UNLOCK", 10, minimum=0), 900),
    # The live reply check while drafting, per user (one request half a second after typing stops).
    "reply_check": (env_int("RATE_REPLY_CHECK", 120, minimum=0), 60),
}

# Where SMS go by default (a file the operator can read); production names a gateway (aliyun or
# tencent) with its keys, sign name and templates (minyi/worker/sms.py).
MINYI_SMS_BACKEND, MINYI_SMS_GATEWAY = env_sms()
# The WeChat official account (minyi/appeals/wechat.py); empty: the channel is off.
MINYI_WECHAT = env_wechat()
MINYI_SMS_FILE = env_str("SMS_FILE", str(VAR_DIR / "sms-outbox.jsonl"))
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "minyi@localhost")

# When the worker runs each periodic job (minyi.worker.schedule), by job kind: an interval, a time each
# day, or a day of the week and a time; times are local (TIME_ZONE).
MINYI_SCHEDULE = {
    "supervision.sweep": env_interval("JOB_SWEEP_EVERY", timedelta(hours=1)),
    "supervision.briefing": env_weekly("JOB_BRIEFING_AT", Weekly(0, time(8, 30))),
    "reports.weekly_bulletin": env_weekly("JOB_BULLETIN_AT", Weekly(0, time(8, 0))),
    "notices.digest": env_clock("JOB_DIGEST_AT", time(18, 0)),
    "assistance.stale": env_clock("JOB_ASSISTANCE_STALE_AT", time(8, 0)),
    "reports.export_cleanup": env_clock("JOB_EXPORT_CLEANUP_AT", time(3, 30)),
    "insight.triage": env_interval("JOB_TRIAGE_EVERY", timedelta(minutes=1)),
    "kpi.refresh": env_interval("JOB_KPI_REFRESH_EVERY", timedelta(minutes=1)),
    "reports.summary_refresh": env_interval("JOB_SUMMARY_REFRESH_EVERY", timedelta(minutes=1)),
    "insight.hotspots_nightly": env_clock("JOB_HOTSPOTS_AT", time(2, 0)),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "minyi.api.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "minyi.api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# The OpenAPI schema (/api/schema/) and Swagger UI (/api/docs/) for everyone, or only for signed-in staff
# (minyi.api.docs); production's default is staff only.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", DEBUG)

SPECTACULAR_SETTINGS = {
    "TITLE": "Minyi API",
    "DESCRIPTION": (
        "The REST API of Minyi: appeals and every step of their loop, for staff scripts and "
        "integration clients. Authenticate with `Authorization: Bearer <key>` (keys from "
        "`manage.py api_token create`). Errors are JSON `{code, message, fields}` in the request's "
        "language (Accept-Language)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    # No validator badge: it would load an image from validator.swagger.io (the CSP refuses it).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set that several apps' serializers share (else drf-spectacular guesses).
    "ENUM_NAME_OVERRIDES": {
        "AppealStateEnum": "minyi.appeals.choices.State",
        "AppealKindEnum": "minyi.appeals.choices.Kind",
        "UnitKindEnum": "minyi.org.choices.UnitKind",
        "IssueStateEnum": "minyi.ledger.choices.IssueState",
        "IssueSourceEnum": "minyi.ledger.choices.IssueSource",
        "TrackEnum": "minyi.ledger.choices.Track",
    },
}

# Monitoring (docs/deploy.md): /metrics is open from this machine and to `Authorization: Bearer
# METRICS_TOKEN`; /readyz fails when the oldest due outbox job has waited longer than OUTBOX_MAX_AGE.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
MINYI_OUTBOX_MAX_AGE = env_interval("OUTBOX_MAX_AGE", timedelta(minutes=15))

# Logs: plain lines in development, JSON lines (one object per line, minyi/logs.py) with LOG_FORMAT=json,
# production's default. Both carry the request id.
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise EnvError(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")


def logging_config(log_format: str) -> dict[str, object]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "minyi.logs.RequestIdFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {"()": "minyi.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["request_id"]}
        },
        "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    }


LOGGING = logging_config(LOG_FORMAT)
