from django.urls import path

from minyi.ledger import views, views_excel, views_item
from minyi.ledger.actions import ACTIONS

app_name = "ledger"
urlpatterns = [
    path("", views.ledger, name="list"),
    path("new/", views.new_issue, name="new"),
    path("export.xlsx", views_excel.export, name="export"),
    path("import/", views_excel.import_view, name="import"),
    path("register/", views_item.register, name="register"),
    path("<int:pk>/", views_item.detail, name="detail"),
    path("<int:pk>/files/<int:file_pk>/", views_item.evidence_file, name="file"),
    path("<int:pk>/files/<int:file_pk>/thumbnail/", views_item.evidence_thumbnail, name="file_thumbnail"),
    *[
        path(f"<int:pk>/{action.slug}/", views_item.act, {"action": action.key}, name=action.key)
        for action in ACTIONS
        if action.form is not None
    ],
]
