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
    *[
        path(f"issues/<str:pk>/{step}/", view.as_view(), name=f"issue-{step}")
        for step, view in ledger.STEP_VIEWS.items()
    ],
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
