"""Social assistance pages, under /assistance/ (namespace ``assistance``)."""

from django.urls import path

from minyi.assistance import views

app_name = "assistance"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.desk, name="desk"),
    path("cases/new/", views.open_case, name="new"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/eligibility/", views.eligibility, name="eligibility"),
    path("cases/<int:pk>/close/", views.close, name="close"),
    path("parts/", views.my_parts, name="parts"),
    path("parts/<int:pk>/", views.part_detail, name="part"),
    path("parts/<int:pk>/hand/", views.hand_out, name="hand"),
    path("parts/<int:pk>/deliver/", views.deliver, name="deliver"),
    path("parts/<int:pk>/decline/", views.decline, name="decline"),
    path("deliveries/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("deliveries/<int:pk>/evidence/thumbnail/", views.evidence_thumbnail, name="evidence_thumbnail"),
]
