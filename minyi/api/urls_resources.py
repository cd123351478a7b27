"""The API's resources beyond appeal submission and reading (transitions, ledger, units, people,
suggestions), included by minyi/api/urls.py."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from minyi.api import resources_insight as insight
from minyi.api import resources_ledger as ledger
from minyi.api import resources_org as org

urlpatterns: list[URLPattern | URLResolver] = [
    # The ledger: items, every step to sign-off, campaigns and their summary.
    path("issues/", ledger.IssueListView.as_view(), name="issue-list"),
    path("issues/<str:pk>/", ledger.IssueDetailView.as_view(), name="issue-detail"),
    path("issues/<str:pk>/edit/", ledger.EditView.as_view(), name="issue-edit"),
    path("issues/<str:pk>/progress/", ledger.ReportView.as_view(), name="issue-progress"),
    path("issues/<str:pk>/submit/", ledger.SubmitView.as_view(), name="issue-submit"),
    path("issues/<str:pk>/agree/", ledger.AgreeView.as_view(), name="issue-agree"),
    path("issues/<str:pk>/decide/", ledger.DecideView.as_view(), name="issue-decide"),
    path("issues/<str:pk>/convert/", ledger.ConvertView.as_view(), name="issue-convert"),
    path("issues/<str:pk>/milestones/", ledger.MilestoneView.as_view(), name="issue-milestone"),
    path("issues/<str:pk>/milestone-done/", ledger.MilestoneDoneView.as_view(), name="issue-milestone-done"),
    path("campaigns/", ledger.CampaignListView.as_view(), name="campaign-list"),
    path("campaigns/<str:code>/summary/", ledger.CampaignSummaryView.as_view(), name="campaign-summary"),
    # The organisation.
    path("units/", org.UnitListView.as_view(), name="unit-list"),
    path("units/<str:code>/", org.UnitDetailView.as_view(), name="unit-detail"),
    path("people/", org.PersonListView.as_view(), name="person-list"),
    path("people/<str:pk>/", org.PersonDetailView.as_view(), name="person-detail"),
    # Insight on one appeal.
    path("appeals/<str:number>/suggestions/", insight.SuggestionsView.as_view(), name="appeal-suggestions"),
    path("appeals/<str:number>/duplicates/", insight.DuplicatesView.as_view(), name="appeal-duplicates"),
]
