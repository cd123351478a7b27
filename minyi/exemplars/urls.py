"""Role models pages, under /exemplars/ (namespace ``exemplars``)."""

from django.urls import path  # noqa: F401

app_name = "exemplars"
urlpatterns: list = []
