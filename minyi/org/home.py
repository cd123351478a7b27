"""What the home page offers each signed-in user, by role and permission."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from minyi.org.choices import Role
from minyi.org.permissions import Action, AnyUser, can, person_of, scope_of

#: One sentence per role saying what the person does here (docs/design.md, "Roles").
ROLE_WORK: dict[str, Promise] = {
    Role.OPERATOR: _("Record calls, letters and walk-ins quickly, and symposium opinions in batches."),
    Role.DISPATCHER: _(
        "Check each new appeal's category and unit, dispatch it, merge duplicates and approve extensions."
    ),
    Role.HANDLER: _(
        "Accept the appeals handed to your unit, work on them, report progress and draft replies."
    ),
    Role.UNIT_HEAD: _("Approve your unit's replies and sign-offs, and watch your unit's ledger."),
    Role.LEADER: _("Supervise your rectification items to sign-off and visit your paired villages."),
    Role.CADRE: _("Log your visits and diaries, and attend study sessions."),
    Role.MEMBER: _("Attend study sessions, also offline, and see your branch's activities."),
    Role.AUDITOR: _("Read everything, and the audit trail of who did what; you change nothing."),
    Role.ADMIN: _("Keep units, people, roles and settings in order; import them from Excel."),
}


@dataclass
class Link:
    label: Promise | str
    url: str
    hint: Promise | str = ""


@dataclass
class Section:
    title: Promise | str
    links: list[Link] = field(default_factory=list)


def home_sections(user: AnyUser) -> dict[str, object]:
    """The role summary and the sections of links this user may use."""
    person = person_of(user)
    scope = scope_of(user)
    org = Section(_("Organisation"))
    if can(user, Action.VIEW_UNIT):
        org.links.append(Link(_("Unit tree"), reverse("org:unit_tree"), _("Units you work with")))
    if can(user, Action.VIEW_PERSON):
        org.links.append(Link(_("People"), reverse("org:people"), _("Search staff by name or phone")))
    if can(user, Action.VIEW_HOUSEHOLD):
        org.links.append(Link(_("Households"), reverse("org:households"), _("Households of villages")))
    if can(user, Action.IMPORT_ORG):
        org.links.append(Link(_("Import from Excel"), reverse("org:import"), _("Units, people, households")))
    work = Section(_("Appeals"))
    if can(user, "appeals.view_appeal"):
        work.links.append(Link(_("Appeals"), reverse("appeals:list"), _("Inbox and lists, with deadlines")))
    if can(user, "appeals.record_appeal"):
        work.links.append(
            Link(_("Record a call or letter"), reverse("appeals:intake"), _("Fast keyboard entry"))
        )
        work.links.append(Link(_("Import appeals from Excel"), reverse("appeals:import")))
    if can(user, "ledger.view_issue"):
        work.links.append(
            Link(_("Rectification ledger"), reverse("ledger:list"), _("Items to sign-off, by track"))
        )
    if can(user, "kpi.view_ranking"):
        work.links.append(Link(_("Unit ranking"), reverse("kpi:ranking"), _("KPIs of every unit, ranked")))
    if can(user, "supervision.view_notice"):
        work.links.append(
            Link(_("Supervision notices"), reverse("supervision:list"), _("Late work, escalation, answers"))
        )
    if can(user, "reports.view_reports"):
        work.links.append(
            Link(_("Dashboard"), reverse("reports:dashboard"), _("Dashboards and the campaign bulletin"))
        )
        work.links.append(
            Link(
                _("Campaign bulletin"),
                reverse("reports:bulletin"),
                _("The briefing, written from the records"),
            )
        )
    if can(user, "insight.view_hotspots"):
        work.links.append(
            Link(_("Hotspot board"), reverse("insight:hotspots"), _("Problems many people raise, by heat"))
        )
    if can(user, "outreach.add_visit"):
        work.links.append(
            Link(_("Record a visit"), reverse("outreach:record"), _("Visits, five ones, diary"))
        )
        work.links.append(Link(_("My visits"), reverse("outreach:visits")))
        work.links.append(
            Link(_("Record visits offline"), reverse("study:offline"), _("On a phone with no network"))
        )
        work.links.append(
            Link(_("My pairings"), reverse("outreach:my_pairings"), _("Your places, planned vs done"))
        )
    if can(user, "outreach.view_coverage"):
        work.links.append(
            Link(_("Visit coverage"), reverse("outreach:coverage"), _("Villages and households visited"))
        )
    if can(user, "evaluation.view_results") or can(user, "evaluation.import_answers"):
        work.links.append(
            Link(_("Evaluation forms"), reverse("evaluation:list"), _("Anonymous ratings of units"))
        )
    if can(user, "outreach.view_coverage") or can(user, "outreach.add_pairing"):
        work.links.append(
            Link(
                _("Pairings"),
                reverse("outreach:pairings"),
                _("Who is paired with which place, planned vs done"),
            )
        )
    if can(user, "symposia.view_symposium"):
        work.links.append(
            Link(_("Symposia"), reverse("symposia:list"), _("Groups heard, and their opinions"))
        )
    if any(can(user, p) for p in ("assistance.open_case", "assistance.deliver", "assistance.view_case")):
        work.links.append(
            Link(
                _("Social assistance"),
                reverse("assistance:home"),
                _("Help for households, across departments"),
            )
        )
    study = Section(_("Study"))
    if can(user, "study.view_study"):
        study.links.append(
            Link(_("Study activities"), reverse("study:list"), _("Lectures, reports, discussions"))
        )
        study.links.append(
            Link(_("Party branches"), reverse("study:branches"), _("Members and who is left behind"))
        )
        study.links.append(Link(_("Study summary"), reverse("study:summary")))
        study.links.append(
            Link(
                _("Role models to learn from"),
                reverse("exemplars:list"),
                _("Materials and where they were shown"),
            )
        )
    if can(user, "partybuilding.view") or can(user, "partybuilding.manage"):
        study.links.append(
            Link(
                _("Village party organisations"),
                reverse("partybuilding:index"),
                _("Weak branches, joint general branches and their tasks"),
            )
        )
    if person is not None and person.role == Role.MEMBER:
        study.links.append(Link(_("Check in to a study session"), reverse("study:check_in")))
    if person is not None and (person.role == Role.MEMBER or can(user, "study.add_activity")):
        study.links.append(
            Link(_("Record offline"), reverse("study:offline"), _("Attendance on a phone with no network"))
        )
    oversight = Section(_("Oversight"))
    if can(user, Action.VIEW_AUDIT):
        oversight.links.append(Link(_("Audit trail"), reverse("audit:list"), _("Who did what, and when")))
    if can(user, "insight.view_classifierversion"):
        oversight.links.append(
            Link(
                _("Category suggestions"),
                reverse("insight:classifier"),
                _("The model's accuracy, its versions and the auto-dispatch threshold"),
            )
        )
    if can(user, "reports.manage_boundaries"):
        oversight.links.append(
            Link(
                _("Map boundaries"),
                reverse("reports:boundaries"),
                _("Township and village outlines for the map"),
            )
        )
    if user.is_staff:
        oversight.links.append(Link(_("System administration"), reverse("admin:index")))
    return {
        "person": person,
        "role_work": ROLE_WORK.get(person.role, "") if person else "",
        "scope": scope,
        "sections": [section for section in (work, study, org, oversight) if section.links],
    }
