"""Reports pages, under /reports/ (namespace ``reports``)."""

from django.urls import path

from minyi.reports import views, views_exports, views_map

app_name = "reports"
urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("bulletin/", views.bulletin_page, name="bulletin"),
    path("bulletin/recipients/", views.recipients, name="recipients"),
    path("bulletin/issue/", views.issue, name="bulletin_issue"),
    path("boundaries/", views_map.boundaries_page, name="boundaries"),
    path("export/panel/<slug:key>/", views_exports.export_start, {"name": "panel"}, name="export_panel"),
    path("export/<slug:name>/", views_exports.export_start, name="export"),
    path("exports/", views_exports.export_list, name="exports"),
    path("exports/<int:pk>/", views_exports.export_status, name="export_status"),
    path("exports/<int:pk>/download/", views_exports.export_download, name="export_download"),
]
