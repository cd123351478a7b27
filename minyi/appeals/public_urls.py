"""Public pages (no account needed), under /appeal/ and /echo/."""

from django.urls import include, path

app_name = "public"
urlpatterns: list = [
    path("appeal/", include("minyi.appeals.views.public_urls")),
    path("echo/", include("minyi.appeals.views.echo_urls")),
]
