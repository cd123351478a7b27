"""The echo wall (回音壁): the public list of published answers, one entry's page, and taking one down.

The list never counts rows (a COUNT over a million entries costs more than the page itself): it
fetches one row more than a page to know whether there is a next page, and shows "Page N" links. A
search counts and ranks its newest ``echo.RANKED`` matches (``echo.find``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from minyi.appeals import echo, words
from minyi.appeals.models import Category, EchoEntry
from minyi.inputs import strip_bidi_controls
from minyi.org.choices import UnitKind
from minyi.org.models import Unit
from minyi.paging import window
from minyi.replica import reads_from_replica

PAGE_SIZE = 20
#: Characters of the question and of the reply shown in the list (around the first word found).
QUESTION_WIDTH = 120
REPLY_WIDTH = 200
#: Deeper pages cost an ever longer OFFSET scan; past this, people narrow the search instead.
MAX_PAGE = 500


@dataclass
class Shown:
    """An entry of the list, with its texts marked when it was found by a search."""

    entry: EchoEntry
    title: SafeString | None = None
    question: SafeString | None = None
    reply: SafeString | None = None


class EchoFilterForm(forms.Form):
    """The search box and the two filters of the echo wall (all optional, all combine)."""

    q = forms.CharField(
        label=gettext_lazy("Words in the appeal or the answer"),
        max_length=50,
        required=False,
        widget=forms.SearchInput(attrs={"enterkeyhint": "search"}),
    )
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    township = forms.ChoiceField(label=gettext_lazy("Township / street"), required=False)

    def clean_q(self) -> str:
        return words.check_query(self.cleaned_data.get("q") or "")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        any_choice = ("", _("Any"))
        self.categories = {
            c.code: c for c in Category.objects.filter(level=1, is_active=True).order_by("sort", "code")
        }
        self.townships = {
            u.code: u
            for u in Unit.objects.filter(kind=UnitKind.TOWNSHIP, is_active=True).order_by("sort", "path")
        }
        category_field = cast(forms.ChoiceField, self.fields["category"])
        category_field.choices = [any_choice, *((c.code, c.name) for c in self.categories.values())]
        township_field = cast(forms.ChoiceField, self.fields["township"])
        township_field.choices = [any_choice, *((u.code, u.name) for u in self.townships.values())]


@require_GET
@reads_from_replica
def echo_list(request: HttpRequest) -> HttpResponse:
    form = EchoFilterForm(request.GET or None)
    entries = echo.public_entries()
    found: echo.Found | None = None
    status = 200
    if form.is_bound:
        form.is_valid()  # a bad filter is reported and left out; the valid ones still apply
        data = form.cleaned_data
        if category := form.categories.get(data.get("category") or ""):
            entries = echo.in_category(entries, category)
        if township := form.townships.get(data.get("township") or ""):
            entries = entries.filter(township=township)
        if "q" in form.errors:  # a search that cannot be run finds nothing (rather than everything)
            entries, status = entries.none(), 400
        elif data.get("q", "").strip():
            found = echo.find(entries, data["q"], page=request.GET.get("page"), size=PAGE_SIZE, last=MAX_PAGE)
    if found is not None:
        page = found.page
        rows = [
            Shown(  # the words found, marked (every piece of the text escaped)
                entry,
                echo.highlight(strip_bidi_controls(entry.title_masked), found.words),
                echo.highlight(strip_bidi_controls(entry.question_masked), found.words, QUESTION_WIDTH),
                echo.highlight(strip_bidi_controls(entry.reply_masked), found.words, REPLY_WIDTH),
            )
            for entry in found.entries
        ]
    else:
        entries_page, page = window(
            entries.order_by("-published_at", "-id"), request.GET.get("page"), size=PAGE_SIZE, last=MAX_PAGE
        )
        rows = [Shown(entry) for entry in entries_page]
    return render(
        request,
        "appeals/echo/list.html",
        {
            "form": form,
            "entries": rows,
            "page": page,
            "searching": found is not None or status == 400,
            "found": found,
            "last_page": page.number == MAX_PAGE,
        },
        status=status,
    )


@require_GET
@reads_from_replica
def echo_detail(request: HttpRequest, number: str) -> HttpResponse:
    entry = get_object_or_404(
        EchoEntry.objects.select_related("category", "township").defer("search_text"), number=number
    )
    may_unpublish = request.user.is_authenticated and echo.can_unpublish(request.user, entry.appeal)
    return render(request, "appeals/echo/detail.html", {"entry": entry, "may_unpublish": may_unpublish})


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why it is taken down (for the audit trail)"), max_length=200, required=False
    )


@login_required
@require_POST
def echo_unpublish(request: HttpRequest, number: str) -> HttpResponse:
    entry = get_object_or_404(EchoEntry.objects.select_related("appeal"), number=number)
    if not echo.can_unpublish(request.user, entry.appeal):
        raise PermissionDenied(_("You may not do this to this appeal."))
    form = UnpublishForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "appeals/echo/detail.html",
            {"entry": entry, "may_unpublish": True, "unpublish_form": form},
            status=400,
        )
    try:
        echo.unpublish(entry.appeal, actor=request.user, reason=form.cleaned_data["reason"])
    except echo.EchoError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("public:echo")
    messages.success(request, _("Appeal %(number)s was taken off the echo wall.") % {"number": number})
    return redirect("public:echo")
