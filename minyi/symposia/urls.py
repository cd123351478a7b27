"""Symposia pages, under /symposia/ (namespace ``symposia``)."""

from django.urls import path  # noqa: F401

app_name = "symposia"
urlpatterns: list = []
