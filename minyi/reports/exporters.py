"""The registered exports (see exports.py): the appeal list, each dashboard panel's table and the map's
table. Each reads the same filters as its page and keeps to the user's scope as the page does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from minyi.appeals.choices import DueStatus
from minyi.appeals.filters import AppealFilterForm, apply_filters, default_filters, ordered, with_due_status
from minyi.appeals.models import Appeal
from minyi.org.models import Unit
from minyi.org.permissions import Action, can, require, scope_of, visible
from minyi.privacy import mask_address, mask_name, mask_phone, mask_text
from minyi.reports import dashboard, geo
from minyi.reports.exports import AnyUser, Sheet, exporter
from minyi.reports.forms import chosen_dashboard

VIEW_APPEALS = "appeals.view_appeal"
VIEW_REPORTS = "reports.view_reports"
APPEAL_RELATED = ("category", "township", "village", "lead_unit")
PERSONAL_FIELDS = ("name", "phone", "address", "body")


def _errors(form: Any) -> ValidationError:
    return ValidationError(
        [f"{form.fields[name].label if name in form.fields else ''}: {message}".lstrip(": ")
         for name, messages in form.errors.items() for message in messages]
    )  # fmt: skip


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def _label(name: str) -> str:
    return str(capfirst(getattr(Appeal._meta.get_field(name), "verbose_name", name)))


# --- the appeal list -----------------------------------------------------------------------------------


def reveal_personal(user: AnyUser, params: dict[str, str]) -> bool:
    """Personal data in full only for those allowed who asked for it (``personal=1``); masked otherwise."""
    return params.get("personal") == "1" and can(user, Action.VIEW_PERSONAL_DATA)


@exporter("appeals")
def appeal_list(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The appeal list with its filters (the role's defaults when none is given), as the list shows it
    to ``user``. Citizens' details and the text are masked unless the user may see personal data and
    asked for it (``personal=1``); that reading is audited by the caller."""
    require(user, VIEW_APPEALS)
    now = timezone.now()
    given = any(name in params for name in AppealFilterForm.base_fields)
    form = AppealFilterForm(params if given else default_filters(user))
    if not form.is_valid():
        raise _errors(form)
    appeals = visible(user, Appeal.objects.select_related(*APPEAL_RELATED))
    appeals = apply_filters(appeals, form.cleaned_data, user=user, now=now)
    if params.get("dups") == "on":
        from minyi.insight.duplicates import with_open_hint

        appeals = appeals.filter(Exists(with_open_hint().filter(appeal=OuterRef("pk"))))
    appeals = ordered(with_due_status(appeals, now), form.cleaned_data)
    # Every row here is visible to the user, and for visible appeals the personal-data rule is the
    # permission alone (appeals.access): one check stands for all rows.
    reveal = reveal_personal(user, params)
    headers = [
        *(_label(name) for name in ("number", "received_at", "channel", "kind", "urgency", "category")),
        *(
            _label(name)
            for name in ("township", "village", "title", "body", "state", "lead_unit", "deadline")
        ),
        _("Due status"),
        _("Name"),
        _("Phone"),
        _("Address"),
    ]

    def rows() -> Iterator[list[Any]]:
        for a in appeals.iterator(chunk_size=1000):
            due = DueStatus(a.due_state)  # type: ignore[attr-defined]  # annotated by with_due_status
            yield [
                a.number,
                _local(a.received_at),
                a.get_channel_display(),
                a.get_kind_display(),
                a.get_urgency_display(),
                a.category.name if a.category else "",
                a.township.name if a.township else "",
                a.village.name if a.village else "",
                mask_text(a.title),
                a.body if reveal else mask_text(a.body),
                a.get_state_display(),
                a.lead_unit.name if a.lead_unit else "",
                _local(a.deadline),
                str(due.label) if due != DueStatus.NONE else "",
                a.citizen_name if reveal else mask_name(a.citizen_name),
                a.citizen_phone if reveal else mask_phone(a.citizen_phone),
                a.address if reveal else mask_address(a.address),
            ]

    return Sheet(
        title=_("Appeals"),
        headers=headers,
        rows=rows(),
        total=appeals.count(),
        personal_fields=PERSONAL_FIELDS if reveal else (),
    )


# --- the dashboard's tables ----------------------------------------------------------------------------


def dashboard_view(user: AnyUser, params: dict[str, str]) -> dashboard.View:
    """The dashboard ``user`` sees with the page's query ``params`` (as views.dashboard_page)."""
    require(user, VIEW_REPORTS)
    query = {key: params[key] for key in ("campaign", "unit", "view") if params.get(key)}
    form, view = chosen_dashboard(user, query)
    if view is None:
        raise _errors(form)
    return view


def _figure(row: dashboard.Row) -> Any:
    """A plain count stays a number in the sheet; a written figure ("12 / 30 (40.0%)") stays text."""
    return row.text or row.value


def _period(view: dashboard.View) -> str:
    where = view.unit.name if view.unit else _("Whole district")
    return f"{where} {view.first:%Y%m%d}-{view.last:%Y%m%d}"


@exporter("panel")
def dashboard_panel(user: AnyUser, params: dict[str, str]) -> Sheet:
    """One dashboard panel's table of numbers (``key``), for the dashboard the query chooses."""
    view = dashboard_view(user, params)
    key = params.get("key", "")
    if key == "map":
        return _map_table(view)
    found = {panel.key: panel for panel in dashboard.panels(view, hotspots=key == "hotspots")}
    panel = found.get(key)
    if panel is None:
        raise ValidationError(_("There is no such dashboard panel."))
    line = panel.chart == "line" and bool(panel.series)
    rows: list[list[Any]] = [[row.label, *(cells if line else [_figure(row)])] for row, cells in panel.table]
    return Sheet(
        title=f"{panel.title} {_period(view)}",
        headers=[_("Item"), *panel.columns],
        rows=rows,
        total=len(rows),
    )


def _map_table(view: dashboard.View) -> Sheet:
    found = geo.map_data(view.unit, view.first, view.last)
    rows = [[area.name, area.code, area.appeals, area.overdue] for area in found.areas]
    return Sheet(
        title=f"{_('Map')} {_period(view)}",
        headers=[
            _("Township") if found.level == "township" else _("Village / community"),
            _("Code"),
            _("Appeals received"),
            _("Overdue now"),
        ],
        rows=rows,
        total=len(rows),
    )


# --- outreach and study --------------------------------------------------------------------------------


@exporter("coverage")
def visit_coverage(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The visit coverage table by township (and the total) of the coverage page, in its scope."""
    from minyi.outreach.access import VIEW_COVERAGE
    from minyi.outreach.coverage import coverage
    from minyi.outreach.forms import CoverageForm

    require(user, VIEW_COVERAGE)
    scope = scope_of(user)
    within = scope if isinstance(scope, Unit) else None
    form = CoverageForm({key: params[key] for key in ("campaign", "date_from", "date_to") if params.get(key)})
    if not form.is_valid():
        raise _errors(form)
    data = form.cleaned_data
    found = coverage(
        within=within,
        campaign=data.get("campaign"),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
    rows = [
        [row.name, row.villages_visited, row.villages_total, row.villages_percent, row.households_visited,
         row.households_total, row.households_percent, row.difficulties_found, row.difficulties_resolved]
        for row in [*found.townships, found.total]
    ]  # fmt: skip
    rows[-1][0] = _("Total")
    return Sheet(
        title=_("Visit coverage"),
        headers=[
            _("Township"),
            _("Villages visited"),
            _("Villages in all"),
            _("Villages visited (%)"),
            _("Households visited"),
            _("Households in all"),
            _("Households visited (%)"),
            _("Difficulties found"),
            _("Difficulties resolved"),
        ],
        rows=rows,
        total=len(rows),
    )


@exporter("left_behind")
def study_left_behind(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The members of a branch (``branch``) left behind in the period, as the branch page lists them."""
    from datetime import timedelta

    from minyi.org.permissions import scope_filter
    from minyi.study import rules as study_rules
    from minyi.study.forms import PeriodForm
    from minyi.study.models import Branch, Membership

    require(user, study_rules.VIEW)
    given = str(params.get("branch", ""))
    branches = scope_filter(user, Branch.objects.select_related("unit"), "unit__path")
    branch = branches.filter(pk=int(given)).first() if given.isdigit() else None
    if branch is None:
        raise ValidationError(_("There is no such party branch in your scope."))
    today = timezone.localdate()
    query = {key: params[key] for key in ("campaign", "date_from", "date_to") if params.get(key)}
    if not query:  # the branch page's default: the last 30 days
        query = {"date_from": f"{today - timedelta(days=29):%Y-%m-%d}", "date_to": f"{today:%Y-%m-%d}"}
    form = PeriodForm(query)
    if not form.is_valid():
        raise _errors(form)
    data = form.cleaned_data
    period = study_rules.Period(data["campaign"], data["date_from"], data["date_to"])
    members = study_rules.left_behind(
        Membership.objects.filter(current_branch=branch, is_active=True), period
    )
    reveal = reveal_personal(user, params)
    rows = [
        [m.person.name if reveal else mask_name(m.person.name),
         m.current_branch.name if m.current_branch else "", _("Yes") if m.mobile else "", m.whereabouts]
        for m in members
    ]  # fmt: skip
    return Sheet(
        title=f"{branch.name} {_('Left behind')}",
        headers=[_("Name"), _("Party branch"), _("Mobile member"), _("Where they work now")],
        rows=rows,
        total=len(rows),
        personal_fields=("name",) if reveal else (),
    )
