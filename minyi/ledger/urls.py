from django.urls import path

from minyi.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.ledger, name="list"),
    path("new/", views.new_issue, name="new"),
]
