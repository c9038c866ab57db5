from django.contrib import admin
from django.urls import include, path

from complaintdesk.api.v1 import api as api_v1

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api_v1.urls),
    path("channels/wechat/", include("complaintdesk.channels.wechat.urls")),
    path("portal/", include("complaintdesk.portal.urls")),
    path("s/", include("complaintdesk.surveys.urls")),
    path("", include("complaintdesk.web.urls")),
]
