"""ASGI entry point."""

from django.core.asgi import get_asgi_application

from minyi.boot import load_settings

load_settings("minyi.settings_production")
application = get_asgi_application()
