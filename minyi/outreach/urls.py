"""Outreach pages, under /outreach/ (namespace ``outreach``)."""

from django.urls import path

from minyi.outreach import views, views_checklists, views_import, views_pairings

app_name = "outreach"
urlpatterns = [
    path("visits/", views.my_visits, name="visits"),
    path("visits/new/", views.record_visit, name="record"),
    path("visits/new/households/", views.household_search, name="household_search"),
    path("visits/new/checklist/", views.visit_checklist, name="visit_checklist"),
    path("checklists/", views_checklists.checklists, name="checklists"),
    path("visits/import/", views_import.import_sheet, name="import"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visits/<int:pk>/difficulties/<int:difficulty_pk>/appeal/", views.make_appeal, name="make_appeal"),
    path("coverage/", views.coverage, name="coverage"),
    path("pairings/", views_pairings.pairing_list, name="pairings"),
    path("pairings/mine/", views_pairings.my_pairings, name="my_pairings"),
    path("pairings/new/", views_pairings.pairing_new, name="pairing_new"),
    path("pairings/<int:pk>/end/", views_pairings.pairing_end, name="pairing_end"),
]
