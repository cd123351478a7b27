"""Village party organisations pages, under /partybuilding/ (namespace ``partybuilding``)."""

from django.urls import path  # noqa: F401

app_name = "partybuilding"
urlpatterns: list = []
