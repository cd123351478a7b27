"""KPI pages under /kpi/ (namespace ``kpi``)."""

from django.urls import path

from minyi.kpi import views

app_name = "kpi"
urlpatterns = [
    path("", views.ranking_page, name="ranking"),
    path("export.xlsx", views.export, name="export"),
    path("<str:code>/<str:metric>/", views.records_page, name="records"),
]
