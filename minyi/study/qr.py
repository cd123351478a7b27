"""QR codes for check-in (扫码签到): the absolute address of the check-in page with the session's code
filled in, drawn as inline SVG by segno (pure Python, no image library, nothing fetched at run time),
and the printable poster that shows it at the venue.

The QR only opens the page: the member still presses "check in" (a GET never records attendance)."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from minyi.org.permissions import require, scope_filter
from minyi.study.access import StudyPerm
from minyi.study.models import Activity, Session

#: Size of one QR module in CSS pixels: on the session page, and on the printed poster.
PAGE_SCALE = 4
POSTER_SCALE = 10


def check_in_url(request: HttpRequest, session: Session) -> str:
    """The absolute address a member's phone opens: the check-in page with the code filled in."""
    return request.build_absolute_uri(f"{reverse('study:check_in')}?{urlencode({'code': session.code})}")


def svg(url: str, *, scale: int = PAGE_SCALE, svg_id: str = "check-in-qr") -> SafeString:
    """The QR code of ``url`` as inline SVG (segno escapes the title it carries)."""
    code = segno.make(url, error="m")
    return mark_safe(  # noqa: S308  # segno's own SVG output, with the URL escaped in <title>
        code.svg_inline(scale=scale, border=4, light="#fff", title=url, svgclass="qr", svgid=svg_id)
    )


@login_required
@require_GET
def session_poster(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable page with the session's topic, time, code and a large QR code, for a poster."""
    require(request.user, StudyPerm.VIEW)
    session = Session.objects.select_related("activity__unit").filter(pk=pk).first()
    activities = scope_filter(request.user, Activity.objects.all(), "unit__path")
    if session is None or not activities.filter(pk=session.activity_id).exists():
        raise Http404
    url = check_in_url(request, session)
    return render(
        request,
        "study/session_poster.html",
        {"session": session, "check_in_url": url, "qr": svg(url, scale=POSTER_SCALE, svg_id="poster-qr")},
    )
