"""Study pages, under /study/ (namespace ``study``)."""

from django.urls import path

from minyi.study import views

app_name = "study"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/check-in/", views.session_check_in, name="session_check_in"),
    path("check-in/", views.check_in, name="check_in"),
    path("branches/", views.branch_list, name="branches"),
    path("branches/<int:pk>/", views.branch_detail, name="branch"),
    path("summary/", views.summary, name="summary"),
]
