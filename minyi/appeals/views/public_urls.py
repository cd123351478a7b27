"""The citizens' pages, included at /appeal/ with the namespace ``public``."""

from django.urls import path

from minyi.appeals.views import public

urlpatterns = [
    path("new/", public.new, name="new"),
    path("done/", public.done, name="done"),
    path("track/", public.track, name="track"),
    path("track/<str:number>/", public.status, name="status"),
    path("track/<str:number>/rate/", public.rate, name="rate"),
    path("track/<str:number>/files/<int:pk>/", public.own_file, name="own_file"),
    path("track/<str:number>/inform/", public.inform, name="inform"),
]
