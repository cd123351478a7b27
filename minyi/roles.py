"""Roles (docs/design.md, "Roles") as Django groups with permissions, kept in step after every migrate.

The table names every app's permissions (each app declares them as one enum in its access module), so it
lives above the apps, beside the settings and the URL configuration; minyi.org connects it to migrate.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

from minyi.api.access import ApiPerm
from minyi.appeals.access import AppealPerm
from minyi.assistance.access import AssistancePerm
from minyi.audit.access import AuditPerm
from minyi.evaluation.access import EvaluationPerm
from minyi.exemplars.access import ExemplarPerm
from minyi.insight.access import InsightPerm
from minyi.kpi.access import KpiPerm
from minyi.ledger.access import LedgerPerm
from minyi.org.choices import Role, group_name
from minyi.org.permissions import OrgPerm
from minyi.outreach.access import OutreachPerm
from minyi.partybuilding.access import PartyBuildingPerm
from minyi.reports.access import ReportsPerm
from minyi.study.access import StudyPerm
from minyi.supervision.access import SupervisionPerm
from minyi.symposia.access import SymposiumPerm
from minyi.workdays.access import WorkdaysPerm

_READ_ORG = [OrgPerm.VIEW_UNIT, OrgPerm.VIEW_PERSON, OrgPerm.VIEW_HOUSEHOLD]
_PERSONAL = [OrgPerm.VIEW_PERSONAL_DATA]
_VIEW_APPEALS = [AppealPerm.VIEW, LedgerPerm.VIEW, SupervisionPerm.VIEW]
#: Organise study (activities, sessions, attendance for others, materials, reminders) and see it.
_STUDY = [StudyPerm.VIEW, StudyPerm.ORGANISE]

#: What each role may do, as "app_label.codename" permissions. Social assistance: anyone who meets
#: households opens cases; "coordinate" works only for staff of the coordinating unit and "deliver" only
#: for the parts handed to one's unit (minyi.assistance.access). Scope (which units) is decided by
#: minyi.org.permissions, not here.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OPERATOR: [
        *_READ_ORG,
        *_PERSONAL,
        *_VIEW_APPEALS,
        AppealPerm.RECORD,
        AppealPerm.FOLLOW_UP,
        SymposiumPerm.ADD,
        SymposiumPerm.VIEW,
        AssistancePerm.OPEN_CASE,
    ],
    Role.DISPATCHER: [
        *_READ_ORG,
        *_PERSONAL,
        *_VIEW_APPEALS,
        AppealPerm.RECORD,
        AppealPerm.DISPATCH,
        OutreachPerm.VIEW_COVERAGE,
        OutreachPerm.ADD_PAIRING,
        OutreachPerm.CHANGE_PAIRING,
        OutreachPerm.CHANGE_CHECKLIST,
        SymposiumPerm.ADD,
        SymposiumPerm.VIEW,
        AppealPerm.FOLLOW_UP,
        LedgerPerm.ADD,
        PartyBuildingPerm.MANAGE,
        PartyBuildingPerm.VIEW,
        KpiPerm.VIEW_RANKING,
        InsightPerm.VIEW_HOTSPOTS,
        ReportsPerm.VIEW,
        ReportsPerm.MANAGE_BULLETIN,
        *_STUDY,
        EvaluationPerm.ADD_FORM,
        EvaluationPerm.CHANGE_FORM,
        EvaluationPerm.VIEW_RESULTS,
        EvaluationPerm.IMPORT_ANSWERS,
        AssistancePerm.OPEN_CASE,
        ExemplarPerm.MANAGE,
    ],
    Role.HANDLER: [
        *_READ_ORG,
        *_VIEW_APPEALS,
        AppealPerm.HANDLE,
        AssistancePerm.COORDINATE,
        AssistancePerm.DELIVER,
    ],
    Role.UNIT_HEAD: [
        *_READ_ORG,
        *_PERSONAL,
        *_VIEW_APPEALS,
        AppealPerm.HANDLE,
        AppealPerm.APPROVE_REPLY,
        PartyBuildingPerm.VIEW,
        SymposiumPerm.ADD,
        SymposiumPerm.VIEW,
        OutreachPerm.VIEW_COVERAGE,
        KpiPerm.VIEW_RANKING,
        ReportsPerm.VIEW,
        EvaluationPerm.VIEW_RESULTS,
        AssistancePerm.COORDINATE,
        AssistancePerm.DELIVER,
    ],
    Role.LEADER: [
        *_READ_ORG,
        *_PERSONAL,
        *_VIEW_APPEALS,
        LedgerPerm.ADD,
        SupervisionPerm.ADD,
        PartyBuildingPerm.VIEW,
        SymposiumPerm.ADD,
        SymposiumPerm.VIEW,
        OutreachPerm.ADD_VISIT,
        OutreachPerm.VIEW_COVERAGE,
        KpiPerm.VIEW_RANKING,
        InsightPerm.VIEW_HOTSPOTS,
        ReportsPerm.VIEW,
        *_STUDY,
        EvaluationPerm.VIEW_RESULTS,
        AssistancePerm.OPEN_CASE,
        ExemplarPerm.MANAGE,
    ],
    Role.CADRE: [
        *_READ_ORG,
        *_PERSONAL,
        *_VIEW_APPEALS,
        AppealPerm.RECORD,
        OutreachPerm.ADD_VISIT,
        SymposiumPerm.ADD,
        SymposiumPerm.VIEW,
        *_STUDY,
        AssistancePerm.OPEN_CASE,
    ],
    Role.MEMBER: [OrgPerm.VIEW_UNIT],
    Role.AUDITOR: [
        *_READ_ORG,
        *_PERSONAL,
        *_VIEW_APPEALS,
        AuditPerm.VIEW,
        PartyBuildingPerm.VIEW,
        SymposiumPerm.VIEW,
        OutreachPerm.VIEW_COVERAGE,
        KpiPerm.VIEW_RANKING,
        InsightPerm.VIEW_HOTSPOTS,
        ReportsPerm.VIEW,
        StudyPerm.VIEW,
        EvaluationPerm.VIEW_RESULTS,
        AssistancePerm.VIEW_CASE,
    ],
    Role.ADMIN: [
        AppealPerm.VIEW_CATEGORY,
        WorkdaysPerm.VIEW_YEAR,
        WorkdaysPerm.ADD_YEAR,
        WorkdaysPerm.CHANGE_YEAR,
        WorkdaysPerm.VIEW_DAY,
        WorkdaysPerm.ADD_DAY,
        WorkdaysPerm.CHANGE_DAY,
        WorkdaysPerm.DELETE_DAY,
        AppealPerm.ADD_CATEGORY,
        AppealPerm.CHANGE_CATEGORY,
        AppealPerm.VIEW_SLA_RULE,
        AppealPerm.ADD_SLA_RULE,
        AppealPerm.CHANGE_SLA_RULE,
        *_READ_ORG,
        *_PERSONAL,
        OrgPerm.ADD_UNIT,
        OrgPerm.CHANGE_UNIT,
        OrgPerm.ADD_PERSON,
        OrgPerm.CHANGE_PERSON,
        OrgPerm.ADD_HOUSEHOLD,
        OrgPerm.CHANGE_HOUSEHOLD,
        OrgPerm.IMPORT_ORG,
        OrgPerm.VIEW_LOGIN_DELAY,
        OrgPerm.UNLOCK_LOGIN,
        InsightPerm.VIEW_CLASSIFIER_VERSION,
        InsightPerm.MANAGE_CLASSIFIER,
        InsightPerm.VIEW_PLACE,
        InsightPerm.ADD_PLACE,
        InsightPerm.CHANGE_PLACE,
        InsightPerm.DELETE_PLACE,
        ReportsPerm.MANAGE_BOUNDARIES,
        ApiPerm.MANAGE,
        StudyPerm.VIEW,  # to reach the branch pages whose rolls the admin keeps
        StudyPerm.VIEW_BRANCH,
        StudyPerm.ADD_BRANCH,
        StudyPerm.CHANGE_BRANCH,
        StudyPerm.VIEW_MEMBERSHIP,
        StudyPerm.ADD_MEMBERSHIP,
        StudyPerm.CHANGE_MEMBERSHIP,
        AssistancePerm.VIEW_COORDINATION,
        AssistancePerm.ADD_COORDINATION,
        AssistancePerm.CHANGE_COORDINATION,
        AssistancePerm.VIEW_DELIVERY_ROUTE,
        AssistancePerm.ADD_DELIVERY_ROUTE,
        AssistancePerm.CHANGE_DELIVERY_ROUTE,
        AssistancePerm.VIEW_ELIGIBILITY_ITEM,
        AssistancePerm.ADD_ELIGIBILITY_ITEM,
        AssistancePerm.CHANGE_ELIGIBILITY_ITEM,
    ],
}


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
