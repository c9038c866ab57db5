from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations surface (an interface): readiness, Prometheus metrics, request ids and JSON logs."""

    name = "complaintdesk.ops"
    label = "ops"
