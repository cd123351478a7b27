"""Study pages, under /study/ (namespace ``study``)."""

from django.urls import path

from minyi.study import qr, views, views_branches, views_offline

app_name = "study"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/check-in/", views.session_check_in, name="session_check_in"),
    path("check-in/", views.check_in, name="check_in"),
    path("branches/", views.branch_list, name="branches"),
    path("branches/new/", views_branches.branch_new, name="branch_new"),
    path("branches/<int:pk>/", views.branch_detail, name="branch"),
    path("branches/<int:pk>/edit/", views_branches.branch_edit, name="branch_edit"),
    path("branches/<int:pk>/members/", views_branches.member_roll, name="member_roll"),
    path("sessions/<int:pk>/poster/", qr.session_poster, name="session_poster"),
    path("summary/", views.summary, name="summary"),
    path("offline/", views_offline.page, name="offline"),
    path("offline/data/", views_offline.data, name="offline_data"),
    path("offline/sync/", views_offline.sync, name="offline_sync"),
    path("offline/visits/sync/", views_offline.visit_sync, name="offline_visit_sync"),
    path("offline/manifest.webmanifest", views_offline.manifest, name="offline_manifest"),
    path("offline/sw.js", views_offline.service_worker, name="offline_sw"),
]
