"""Roles (docs/design.md, "Roles") as Django groups with permissions, kept in step after every migrate."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

from minyi.org.choices import Role

_READ_ORG = ["org.view_unit", "org.view_person", "org.view_household"]
_PERSONAL = ["org.view_personal_data"]
_VIEW_APPEALS = ["appeals.view_appeal", "ledger.view_issue", "supervision.view_notice"]
#: Organise study (activities, sessions, attendance for others, materials, reminders) and see it.
_STUDY = ["study.view_study", "study.add_activity"]

#: What each role may do, as "app_label.codename" permissions. Social assistance: anyone who meets
#: households opens cases; "coordinate" works only for staff of the coordinating unit and "deliver" only
#: for the parts handed to one's unit (minyi.assistance.access). Scope (which units) is decided by
#: minyi.org.permissions, not here.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OPERATOR: [
        *_READ_ORG,
        *_PERSONAL,
        *_VIEW_APPEALS,
        "appeals.record_appeal",
        "appeals.follow_up_appeal",
        "symposia.add_symposium",
        "symposia.view_symposium",
        "assistance.open_case",
    ],
    Role.DISPATCHER: [
        *_READ_ORG,
        *_PERSONAL,
        *_VIEW_APPEALS,
        "appeals.record_appeal",
        "appeals.dispatch_appeal",
        "outreach.view_coverage",
        "outreach.add_pairing",
        "outreach.change_pairing",
        "symposia.add_symposium",
        "symposia.view_symposium",
        "appeals.follow_up_appeal",
        "ledger.add_issue",
        "partybuilding.manage",
        "partybuilding.view",
        "kpi.view_ranking",
        "insight.view_hotspots",
        "reports.view_reports",
        "reports.manage_bulletin",
        *_STUDY,
        "evaluation.add_evaluationform",
        "evaluation.change_evaluationform",
        "evaluation.view_results",
        "evaluation.import_answers",
        "assistance.open_case",
        "exemplars.manage",
    ],
    Role.HANDLER: [
        *_READ_ORG,
        *_VIEW_APPEALS,
        "appeals.handle_appeal",
        "assistance.coordinate",
        "assistance.deliver",
    ],
    Role.UNIT_HEAD: [
        *_READ_ORG,
        *_PERSONAL,
        *_VIEW_APPEALS,
        "appeals.handle_appeal",
        "appeals.approve_reply",
        "partybuilding.view",
        "symposia.add_symposium",
        "symposia.view_symposium",
        "outreach.view_coverage",
        "kpi.view_ranking",
        "reports.view_reports",
        "evaluation.view_results",
        "assistance.coordinate",
        "assistance.deliver",
    ],
    Role.LEADER: [
        *_READ_ORG,
        *_PERSONAL,
        *_VIEW_APPEALS,
        "ledger.add_issue",
        "supervision.add_notice",
        "partybuilding.view",
        "symposia.add_symposium",
        "symposia.view_symposium",
        "outreach.add_visit",
        "outreach.view_coverage",
        "kpi.view_ranking",
        "insight.view_hotspots",
        "reports.view_reports",
        *_STUDY,
        "evaluation.view_results",
        "assistance.open_case",
        "exemplars.manage",
    ],
    Role.CADRE: [
        *_READ_ORG,
        *_PERSONAL,
        *_VIEW_APPEALS,
        "appeals.record_appeal",
        "outreach.add_visit",
        "symposia.add_symposium",
        "symposia.view_symposium",
        *_STUDY,
        "assistance.open_case",
    ],
    Role.MEMBER: ["org.view_unit"],
    Role.AUDITOR: [
        *_READ_ORG,
        *_PERSONAL,
        *_VIEW_APPEALS,
        "audit.view_auditevent",
        "partybuilding.view",
        "symposia.view_symposium",
        "outreach.view_coverage",
        "kpi.view_ranking",
        "insight.view_hotspots",
        "reports.view_reports",
        "study.view_study",
        "evaluation.view_results",
        "assistance.view_case",
    ],
    Role.ADMIN: [
        "appeals.view_category",
        "workdays.view_calendaryear",
        "workdays.add_calendaryear",
        "workdays.change_calendaryear",
        "workdays.view_calendarday",
        "workdays.add_calendarday",
        "workdays.change_calendarday",
        "workdays.delete_calendarday",
        "appeals.add_category",
        "appeals.change_category",
        "appeals.view_slarule",
        "appeals.add_slarule",
        "appeals.change_slarule",
        *_READ_ORG,
        *_PERSONAL,
        "org.add_unit",
        "org.change_unit",
        "org.add_person",
        "org.change_person",
        "org.add_household",
        "org.change_household",
        "org.import_org",
        "insight.view_classifierversion",
        "insight.manage_classifier",
        "reports.manage_boundaries",
        "api.manage_token",
        "study.view_study",  # to reach the branch pages whose rolls the admin keeps
        "study.view_branch",
        "study.add_branch",
        "study.change_branch",
        "study.view_membership",
        "study.add_membership",
        "study.change_membership",
        "assistance.view_coordination",
        "assistance.add_coordination",
        "assistance.change_coordination",
        "assistance.view_deliveryroute",
        "assistance.add_deliveryroute",
        "assistance.change_deliveryroute",
        "assistance.view_eligibilityitem",
        "assistance.add_eligibilityitem",
        "assistance.change_eligibilityitem",
    ],
}


def group_name(role: str) -> str:
    """The group that carries a role's permissions (named by the role's code)."""
    return f"role:{role}"


def ensure_role_groups(**_kwargs: Any) -> None:
    """Create one group per role and give it exactly its permissions (idempotent)."""
    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    found: dict[str, Permission] = {}
    for perm in Permission.objects.select_related("content_type"):
        key = f"{perm.content_type.app_label}.{perm.codename}"
        if key in wanted:
            found[key] = perm
    if len(found) < len(wanted):
        return  # Some app's permissions are not created yet; a later post_migrate call completes.
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name(role))
        group.permissions.set([found[p] for p in perms])
