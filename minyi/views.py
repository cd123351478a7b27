"""Site-wide pages: the role-aware home page, the error pages (400, 403, 404, 500 and the CSRF
refusal: Chinese pages of the site's style with a way back, never a trace) and the health check."""

from __future__ import annotations

from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from minyi.org.home import home_sections


def home(request: HttpRequest) -> HttpResponse:
    """Staff get their role-aware home page; everyone else the citizens' landing page."""
    if not request.user.is_authenticated:
        return render(request, "landing.html")
    return render(request, "home.html", home_sections(request.user))


def _back_url(request: HttpRequest) -> str:
    """The page the reader came from, when it is one of ours (never another site's address)."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:  # a 400 may be about the host itself
        return ""
    ours = referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={host})
    return referer if ours and referer != request.build_absolute_uri() else ""


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", {"message": "", "back_url": _back_url(request)}, status=400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else _("You may not open this page.")
    return render(request, "403.html", {"message": message, "back_url": _back_url(request)}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", {"back_url": _back_url(request)}, status=404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page that expired (or from elsewhere): say so plainly; ``reason`` is for the
    log, not the reader."""
    message = _(
        "This form could not be taken: the page was open too long or was sent from elsewhere. "
        "Go back, reload the page and send it again."
    )
    return render(request, "403.html", {"message": message, "back_url": _back_url(request)}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without context processors or the database (which may be what failed)."""
    try:
        stylesheet, script = static("minyi/site.css"), static("minyi/site.js")
    except ValueError:  # the production manifest lacks them: still answer, unstyled
        stylesheet, script = "/static/minyi/site.css", "/static/minyi/site.js"
    page = loader.get_template("500.html").render(
        {"back_url": _back_url(request), "stylesheet": stylesheet, "script": script}
    )
    return HttpResponseServerError(page)


def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: the process is up and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
