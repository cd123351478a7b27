"""Who may do what in workdays: its permissions, carried by the role groups (minyi/roles.py)."""

from __future__ import annotations

from enum import StrEnum


class WorkdaysPerm(StrEnum):
    """Keeping the holiday calendar (in the admin)."""

    VIEW_YEAR = "workdays.view_calendaryear"
    ADD_YEAR = "workdays.add_calendaryear"
    CHANGE_YEAR = "workdays.change_calendaryear"
    VIEW_DAY = "workdays.view_calendarday"
    ADD_DAY = "workdays.add_calendarday"
    CHANGE_DAY = "workdays.change_calendarday"
    DELETE_DAY = "workdays.delete_calendarday"
