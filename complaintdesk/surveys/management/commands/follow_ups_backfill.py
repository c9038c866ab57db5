"""Give resolved cases that have no follow-up task yet (resolved before the surveys app was installed) their
task and timer: `manage.py follow_ups_backfill`. Safe to run again: a case that has one is left alone."""

from django.core.management.base import BaseCommand

from complaintdesk.surveys.follow_ups import follow_ups_backfill


class Command(BaseCommand):
    help = "Create the follow-up (回访) task and timer of resolved cases that have none."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=200)

    def handle(self, *args, **options):
        created = follow_ups_backfill(batch=options["batch"])
        self.stdout.write(f"follow-ups created: {created}")
