"""The dashboard's Excel exports (see exports.py): each panel's table of numbers and the map's table,
for the dashboard the page's query chooses, in the user's scope as the page shows it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from minyi.org.permissions import require
from minyi.reports import dashboard, geo
from minyi.reports.access import ReportsPerm
from minyi.reports.forms import chosen_dashboard
from minyi.sheets import AnyUser, Sheet, exporter, form_errors, picked


def dashboard_view(user: AnyUser, params: dict[str, str]) -> dashboard.View:
    """The dashboard ``user`` sees with the page's query ``params`` (as views.dashboard_page)."""
    require(user, ReportsPerm.VIEW)
    form, view = chosen_dashboard(user, picked(params, ("campaign", "unit", "view")))
    if view is None:
        raise form_errors(form)
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
