"""Village party organisations pages, under /partybuilding/ (namespace ``partybuilding``)."""

from django.urls import path

from minyi.partybuilding import views

app_name = "partybuilding"
urlpatterns = [
    path("", views.index, name="index"),
    path("mark/", views.mark, name="mark"),
    path("joint/new/", views.joint_new, name="joint_new"),
    path("joint/<int:pk>/task/", views.task_new, name="task_new"),
    path("weak/<int:pk>/clear/", views.clear, name="clear"),
]
