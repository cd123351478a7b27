"""Evaluation pages, under /evaluation/ (namespace ``evaluation``); ``answer/`` is public (no login)."""

from django.urls import path

from minyi.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.form_list, name="list"),
    path("new/", views.form_new, name="new"),
    path("<int:pk>/", views.form_detail, name="detail"),
    path("<int:pk>/edit/", views.form_edit, name="edit"),
    path("<int:pk>/open/", views.form_state, {"action": "open"}, name="open"),
    path("<int:pk>/close/", views.form_state, {"action": "close"}, name="close"),
    path("<int:pk>/codes/new/", views.codes, name="codes"),
    path("<int:pk>/import/", views.import_view, name="import"),
    path("<int:pk>/import/template.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/results/", views.results_page, name="results"),
    path("<int:pk>/results.json", views.results_json, name="results_json"),
    path("<int:pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("answer/", views.answer, name="answer"),
    path("answer/thanks/", views.thanks, name="thanks"),
]
