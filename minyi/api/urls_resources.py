"""The API's resources beyond appeal submission and reading (transitions, ledger, units, people,
suggestions), included by minyi/api/urls.py."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
