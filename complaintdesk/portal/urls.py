from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.file_complaint, name="file"),
    path("filed/<str:number>/", views.filed, name="filed"),
    path("track/", views.track, name="track"),
    path("track/verify/", views.verify, name="verify"),
    path("case/<str:number>/", views.case, name="case"),
    path("case/<str:number>/message/", views.case_message, name="message"),
    path("case/<str:number>/objection/", views.case_objection, name="objection"),
    path("case/<str:number>/accept/", views.case_accept, name="accept"),
    path("case/<str:number>/withdraw/", views.case_withdraw, name="withdraw"),
    path("case/<str:number>/leave/", views.case_leave, name="leave"),
    path("stop/<str:token>/", views.outreach_stop, name="outreach_stop"),
]
