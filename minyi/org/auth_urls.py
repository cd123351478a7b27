from django.contrib.auth import views as auth_views
from django.urls import path

from minyi.org.auth import LockoutAuthenticationForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LockoutAuthenticationForm,
            template_name="org/login.html",
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
