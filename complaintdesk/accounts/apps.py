from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "complaintdesk.accounts"
    label = "accounts"
    verbose_name = _("用户与权限")

    def ready(self) -> None:
        from .roles import roles_sync_on_migrate

        # Fires after every app; acts once the complaints permissions exist.
        post_migrate.connect(roles_sync_on_migrate)
