"""WSGI entry point (gunicorn minyi.wsgi)."""

from django.core.wsgi import get_wsgi_application

from minyi.boot import load_settings

load_settings("minyi.settings_production")
application = get_wsgi_application()
