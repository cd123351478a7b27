"""Outreach pages, under /outreach/ (namespace ``outreach``)."""

from django.urls import path

from minyi.outreach import views

app_name = "outreach"
urlpatterns = [
    path("visits/", views.my_visits, name="visits"),
    path("visits/new/", views.record_visit, name="record"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visits/<int:pk>/difficulties/<int:difficulty_pk>/appeal/", views.make_appeal, name="make_appeal"),
    path("coverage/", views.coverage, name="coverage"),
]
