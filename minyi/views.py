"""Site-wide pages: the role-aware home page, the refusal page, and what monitoring reads: the liveness
check, readiness and the Prometheus metrics (minyi/monitoring.py)."""

from __future__ import annotations

import os

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from minyi import monitoring
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
