"""The short tracking link in a customer message, at the site's root so that an SMS stays within its
segments: /t/<case number> and, in a message written in another language than the first, /t/<case number>/en.
Built by notifications.content.track_url only."""

from django.urls import path

from . import views

app_name = "track"

urlpatterns = [
    path("<str:number>", views.track_short, name="case"),
    path("<str:number>/<str:language>", views.track_short, name="case_in"),
]
