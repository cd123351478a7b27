"""Site-wide pages: the role-aware home page, the error pages (400, 403, 404, 500 and the CSRF
refusal: Chinese pages of the site's style with a way back, never a trace), and what monitoring reads:
the liveness check, readiness and the Prometheus metrics (minyi/monitoring.py)."""

from __future__ import annotations

import os

from django.contrib.auth.decorators import login_required
from django.core.exceptions import DisallowedHost, PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from minyi import monitoring
from minyi.org.home import desk_queues as home_desk_queues
from minyi.org.home import home_sections, may_review, review_items

#: How many of the things waiting for a decision the home page shows (the review list has them all).
HOME_REVIEW = 10


def home(request: HttpRequest) -> HttpResponse:
    """Staff get their role-aware home page; everyone else the citizens' landing page."""
    if not request.user.is_authenticated:
        return render(request, "landing.html")
    context = home_sections(request.user)
    if may_review(request.user):  # unit heads land on what waits for their decision (待审核)
        context["review"] = review_items(request.user, limit=HOME_REVIEW)[:HOME_REVIEW]
        context["review_shown"] = True
    return render(request, "home.html", context)


@login_required
@require_GET
def review(request: HttpRequest) -> HttpResponse:
    """The review list (待审核): what waits for the user's decision (or, for the unit's extension
    requests, the dispatcher's), each linking to the page where it is decided."""
    if not may_review(request.user):
        raise PermissionDenied
    return render(request, "review.html", {"items": review_items(request.user)})


@login_required
@require_GET
def desk_queues(request: HttpRequest) -> HttpResponse:
    """The menu's work queues with their counts (待交办 N, 待审核 N …), fetched by every staff page once
    it has loaded."""
    queues = home_desk_queues(request.user, counted=True)
    response = render(request, "_desk_queues.html", {"queues": queues, "counted": True})
    response["Cache-Control"] = "private, no-store"
    return response


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


def readyz(request: HttpRequest) -> JsonResponse:
    """For the load balancer and monitoring: 200 when the database, the cache, the migrations, a worker's
    heartbeat and the outbox are all fine, else 503; each check with its figures."""
    ready, checks = monitoring.readiness()
    return JsonResponse({"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503)


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text: django-prometheus's request and database series (summed over the gunicorn
    processes when PROMETHEUS_MULTIPROC_DIR is set) and Minyi's own ``minyi_`` series. Only from the
    machine itself or with the METRICS_TOKEN."""
    if not monitoring.may_read_metrics(request):
        return HttpResponse(
            _("Metrics are read from this machine or with the metrics token."),
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    own = CollectorRegistry()
    own.register(monitoring.MinyiCollector())
    return HttpResponse(generate_latest(registry) + generate_latest(own), content_type=CONTENT_TYPE_LATEST)
