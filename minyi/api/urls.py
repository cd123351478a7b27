"""URLs of the REST API, under /api/v1/ (namespace ``api``)."""

from django.urls import include, path

from minyi.appeals.api import AppealDetailView, AppealSubmitView

app_name = "api"
urlpatterns = [
    path("appeals/", AppealSubmitView.as_view(), name="appeal-submit"),
    path("appeals/<str:number>/", AppealDetailView.as_view(), name="appeal-detail"),
    path("", include("minyi.api.urls_resources")),
]
