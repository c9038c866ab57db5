from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "complaintdesk.common"
    label = "common"
