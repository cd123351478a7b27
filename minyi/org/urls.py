from django.urls import path

from minyi.org import views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_tree, name="unit_tree"),
    path("units/<str:code>/", views.unit_detail, name="unit_detail"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/unlock-login/", views.person_unlock_login, name="person_unlock_login"),
    path("households/", views.households, name="households"),
    path("households/<str:code>/", views.household_detail, name="household_detail"),
    path("import/", views.import_workbook_view, name="import"),
    path("notices/", views.my_notices, name="notices"),
    path("import/template.xlsx", views.import_template, name="import_template"),
]
