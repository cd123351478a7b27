"""Production profile: ``DJANGO_SETTINGS_MODULE=minyi.settings_production``.

Refuses to start without a real SECRET_KEY and ALLOWED_HOSTS, never runs with DEBUG, and turns
on every protection ``manage.py check --deploy`` asks for (TLS is terminated by the proxy in front).
"""

from __future__ import annotations

import os

from minyi.env import LOCMEM_CACHE, EnvError, env_bool, env_int, env_list, env_str
from minyi.settings import *  # noqa: F403  this profile is the base settings plus overrides

if "SECRET_KEY" not in os.environ:
    raise EnvError("SECRET_KEY must be set in production")
SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise EnvError("SECRET_KEY must be at least 50 random characters in production")
if env_bool("DEBUG", False):
    raise EnvError("DEBUG must be false in production")
DEBUG = False
if "ALLOWED_HOSTS" not in os.environ:
    raise EnvError("ALLOWED_HOSTS must be set in production (comma-separated host names)")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])

# Rate limits (public forms, code checks, unlock codes) count in the cache: a per-process cache counts each
# gunicorn worker on its own (N workers, N times the limit).
if CACHES["default"]["BACKEND"] == LOCMEM_CACHE:  # noqa: F405  (from the base settings)
    raise EnvError("CACHE_URL must name a shared cache in production (redis://host:6379/0), not locmem://")

# The API's schema and docs page only for signed-in staff, unless API_DOCS_PUBLIC=true.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", False)

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The load balancer terminates TLS and says so in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The probes of the load balancer and of monitoring reach the web process over plain HTTP on the inside
# network (docs/deploy.md), so they are not redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# JSON lines for the log collector (minyi/logs.py), unless LOG_FORMAT says otherwise.
LOG_FORMAT = env_str("LOG_FORMAT", "json")
if LOG_FORMAT not in ("plain", "json"):
    raise EnvError(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")
LOGGING = logging_config(LOG_FORMAT)  # noqa: F405

# django-prometheus counts queries and their errors by wrapping the database backend.
_PROMETHEUS_BACKENDS = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}
for _database in DATABASES.values():  # noqa: F405
    _database["ENGINE"] = _PROMETHEUS_BACKENDS.get(_database["ENGINE"], _database["ENGINE"])
