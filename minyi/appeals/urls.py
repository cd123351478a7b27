"""Staff pages of the appeal loop, under /appeals/."""

from django.urls import include, path

app_name = "appeals"
urlpatterns: list = [
    path("", include("minyi.appeals.views.staff_urls")),
    path("intake/", include("minyi.appeals.views.intake_urls")),
]
