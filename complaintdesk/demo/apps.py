from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "complaintdesk.demo"
    label = "demo"
