"""URLs of the REST API, under /api/v1/ (namespace ``api``)."""

from django.urls import include, path

from minyi.api import tokens
from minyi.api.appeals import ACTION_VIEWS, AppealDetailView, AppealsView

app_name = "api"
urlpatterns = [
    path("appeals/", AppealsView.as_view(), name="appeal-submit"),
    path("appeals/<str:number>/", AppealDetailView.as_view(), name="appeal-detail"),
    *[
        path(f"appeals/<str:number>/{slug}/", view.as_view(), name=f"appeal-{slug}")
        for slug, view in ACTION_VIEWS.items()
    ],
    path("tokens/", tokens.TokenListView.as_view(), name="tokens"),
    path("tokens/<str:prefix>/", tokens.TokenDetailView.as_view(), name="token"),
    path("", include("minyi.api.urls_resources")),
]
