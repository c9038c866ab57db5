"""Give (or take back) a user the permission to send business events to POST /api/v1/events. The business
system then calls the API with a token of that user (manage.py issue_api_token USERNAME)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Allow USERNAME to send business events to POST /api/v1/events (--revoke takes it back)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true")

    def handle(self, *args, username: str, revoke: bool, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user named {username!r}")
        permission = Permission.objects.get(content_type__app_label="outreach", codename="receive_event")
        if revoke:
            user.user_permissions.remove(permission)
            self.stdout.write(f"{username} may no longer send business events")
        else:
            user.user_permissions.add(permission)
            self.stdout.write(f"{username} may send business events to POST /api/v1/events")
