"""Who may read the OpenAPI schema and its Swagger UI page: everyone when settings.API_DOCS_PUBLIC is on
(the development profile's default), else signed-in staff only (production's default; docs/security.md).
A stranger asking for the docs page is sent to the login; for the schema they get the API's JSON error.

The page is drf-spectacular's split view: its start-up script is a file of its own (``?script``), so
the Content-Security-Policy can refuse every inline script."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class DocsReaders(BasePermission):
    """Everyone when the docs are public, else any signed-in user (a session or a token)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(settings.API_DOCS_PUBLIC or (request.user and request.user.is_authenticated))


class SchemaView(SpectacularAPIView):
    permission_classes = [DocsReaders]


class DocsView(SpectacularSwaggerSplitView):
    permission_classes = [DocsReaders]


_swagger = DocsView.as_view(url_name="api-schema")


def docs_page(request: HttpRequest) -> HttpResponseBase:
    """Swagger UI (and its start-up script, ``?script``); a stranger is sent to the login first."""
    if not (settings.API_DOCS_PUBLIC or request.user.is_authenticated):
        return redirect_to_login(request.get_full_path())
    return _swagger(request)
