from django.urls import path

from minyi.ledger import views, views_excel, views_item

app_name = "ledger"
urlpatterns = [
    path("", views.ledger, name="list"),
    path("new/", views.new_issue, name="new"),
    path("export.xlsx", views_excel.export, name="export"),
    path("import/", views_excel.import_view, name="import"),
    path("register/", views_item.register, name="register"),
    path("<int:pk>/", views_item.detail, name="detail"),
    path("<int:pk>/files/<int:file_pk>/", views_item.evidence_file, name="file"),
    *[
        path(f"<int:pk>/{name.replace('_', '-')}/", views_item.act, {"action": name}, name=name)
        for name in views_item.ACTIONS
    ],
]
