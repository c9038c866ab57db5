from django.urls import path

from . import views

app_name = "wechat"

urlpatterns = [
    path("callback", views.wechat_callback, name="callback"),
]
