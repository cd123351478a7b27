"""Supervision pages, under /supervision/ (namespace ``supervision``)."""

from django.urls import path

from minyi.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("new/", views.new_notice, name="new"),
    path("briefing/", views.briefing, name="briefing"),
    path("<int:pk>/", views.detail, name="detail"),
]
