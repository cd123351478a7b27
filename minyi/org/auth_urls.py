from django.contrib.auth import views as auth_views
from django.urls import path

from minyi.org import views
from minyi.org.auth import LoginForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm,
            template_name="org/login.html",
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("unlock/", views.unlock_request, name="unlock"),
    path("unlock/code/", views.unlock_code, name="unlock_code"),
]
