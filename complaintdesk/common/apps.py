from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate

from . import dbroles


def _grant_app_role(sender, using="default", **kwargs):
    dbroles.app_role_grant(role=getattr(settings, "DATABASE_APP_ROLE", ""), using=using)


class CommonConfig(AppConfig):
    name = "complaintdesk.common"
    label = "common"

    def ready(self):
        # After every migrate, once (sender=this app), the application's role gets its privileges on
        # whatever tables now exist (common.dbroles).
        post_migrate.connect(_grant_app_role, sender=self, dispatch_uid="common-grant-app-role")
