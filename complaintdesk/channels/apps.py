from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "complaintdesk.channels"
    label = "channels"
