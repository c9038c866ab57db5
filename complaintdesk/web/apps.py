from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "complaintdesk.web"
    label = "web"
