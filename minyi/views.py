"""Site-wide pages: the role-aware home page, the refusal page and the health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from minyi.org.home import home_sections


def home(request: HttpRequest) -> HttpResponse:
    """Staff get their role-aware home page; everyone else the citizens' landing page."""
    if not request.user.is_authenticated:
        return render(request, "landing.html")
    return render(request, "home.html", home_sections(request.user))


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else _("You may not open this page.")
    return render(request, "403.html", {"message": message}, status=403)


def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: the process is up and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
