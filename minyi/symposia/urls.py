"""Symposia pages, under /symposia/ (namespace ``symposia``)."""

from django.urls import path

from minyi.symposia import views

app_name = "symposia"
urlpatterns = [
    path("", views.symposium_list, name="list"),
    path("new/", views.new_symposium, name="new"),
    path("<int:pk>/", views.symposium_detail, name="detail"),
    path("<int:pk>/edit/", views.edit_symposium, name="edit"),
    path("<int:pk>/opinions/", views.add_opinions, name="opinions"),
]
