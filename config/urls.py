from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from complaintdesk.api.v1 import api as api_v1

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("complaintdesk.ops.urls")),  # /readyz, /metrics
    path("api/v1/", api_v1.urls),
    path("channels/wechat/", include("complaintdesk.channels.wechat.urls")),
    path("portal/", include("complaintdesk.portal.urls")),
    path("t/", include("complaintdesk.portal.short_urls")),  # the tracking link in an SMS
    path("s/", include("complaintdesk.surveys.urls")),
    # Browsers ask for /favicon.ico whatever the page says.
    path(
        "favicon.ico",
        RedirectView.as_view(url=f"/{settings.STATIC_URL.strip('/')}/web/favicon.ico", permanent=True),
    ),
    path("", include("complaintdesk.web.urls")),
]

# The product's own error pages, in the user's language (the API keeps its problem+json).
handler400 = "complaintdesk.web.views_errors.bad_request"
handler403 = "complaintdesk.web.views_errors.permission_denied"
handler404 = "complaintdesk.web.views_errors.page_not_found"
handler500 = "complaintdesk.web.views_errors.server_error"
