"""Role models pages, under /exemplars/ (namespace ``exemplars``)."""

from django.urls import path

from minyi.exemplars import views

app_name = "exemplars"
urlpatterns = [
    path("", views.library, name="list"),
    path("new/", views.exemplar_new, name="new"),
    path("<int:pk>/", views.exemplar_detail, name="detail"),
    path("<int:pk>/edit/", views.exemplar_edit, name="edit"),
    path("activities/<int:pk>/", views.activity_links, name="activity_links"),
    path("summary/", views.summary, name="summary"),
]
