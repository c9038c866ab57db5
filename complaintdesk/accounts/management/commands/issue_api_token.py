from django.core.management.base import BaseCommand, CommandError

from complaintdesk.accounts.models import User
from complaintdesk.accounts.services import api_token_issue


class Command(BaseCommand):
    help = "Issue a new API bearer token for USERNAME and print it once (only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="a label to tell tokens apart")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user named {username!r}")
        _row, token = api_token_issue(user=user, name=name)
        self.stdout.write(token)
