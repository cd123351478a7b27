"""URLs of this page group (filled in by its views module)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
