"""URLs of the echo wall, under /echo/ (namespace ``public``)."""

from django.urls import path

from minyi.appeals.views import echo

urlpatterns: list = [
    path("", echo.echo_list, name="echo"),
    path("<str:number>/", echo.echo_detail, name="echo_detail"),
    path("<str:number>/unpublish/", echo.echo_unpublish, name="echo_unpublish"),
]
