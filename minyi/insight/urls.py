"""Insight pages under /insight/ (namespace ``insight``)."""

from django.urls import path

from minyi.insight import views_hotspots, views_model

app_name = "insight"
urlpatterns = [
    path("classifier/", views_model.classifier_page, name="classifier"),
    path("hotspots/", views_hotspots.board_page, name="hotspots"),
    path("hotspots/<int:pk>/", views_hotspots.run_page, name="hotspot_run"),
    path("hotspots/cluster/<int:pk>/", views_hotspots.cluster_page, name="cluster"),
    path("hotspots/cluster/<int:pk>/issue/", views_hotspots.make_issue_page, name="make_issue"),
]
