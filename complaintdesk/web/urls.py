from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

app_name = "web"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", views.home, name="home"),
    path("complaints/<str:number>/", views.complaint_page, name="complaint"),
]
