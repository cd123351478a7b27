"""Study's links on the home page (see minyi.org.home)."""

from django.utils.translation import gettext_lazy as _

from minyi.org.choices import Role
from minyi.org.home import STUDY, WORK, allowed, register_menu
from minyi.org.permissions import AnyUser, can, person_of
from minyi.outreach.access import OutreachPerm
from minyi.study.access import StudyPerm


def _member(user: AnyUser) -> bool:
    person = person_of(user)
    return person is not None and person.role == Role.MEMBER


def _records_offline(user: AnyUser) -> bool:
    person = person_of(user)
    return person is not None and (person.role == Role.MEMBER or can(user, StudyPerm.ORGANISE))


# The offline page records visits too: those who record visits find it among their visit links.
register_menu(
    WORK, 120, _("Record visits offline"), "study:offline", _("On a phone with no network"),
    shown=allowed(OutreachPerm.ADD_VISIT),
)  # fmt: skip
register_menu(
    STUDY, 10, _("Study activities"), "study:list", _("Lectures, reports, discussions"),
    shown=allowed(StudyPerm.VIEW),
)  # fmt: skip
register_menu(
    STUDY, 20, _("Party branches"), "study:branches", _("Members and who is left behind"),
    shown=allowed(StudyPerm.VIEW),
)  # fmt: skip
register_menu(STUDY, 30, _("Study summary"), "study:summary", shown=allowed(StudyPerm.VIEW))
register_menu(STUDY, 60, _("Check in to a study session"), "study:check_in", shown=_member)
register_menu(
    STUDY, 70, _("Record offline"), "study:offline", _("Attendance on a phone with no network"),
    shown=_records_offline,
)  # fmt: skip
