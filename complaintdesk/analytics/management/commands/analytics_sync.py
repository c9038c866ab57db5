from django.core.management.base import BaseCommand

from complaintdesk.analytics import services
from complaintdesk.analytics.tasks import SYNC_JOB
from complaintdesk.tasks.periodic import periodic_start


class Command(BaseCommand):
    help = (
        "Bring the KPI facts and monthly rollups up to date (or --schedule: start the periodic sync unless it"
        " runs; `manage.py periodic_start` starts every periodic job)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true", help="start the periodic sync task")

    def handle(self, *args, schedule=False, **options):
        if schedule:
            started = periodic_start(SYNC_JOB)
            self.stdout.write("analytics sync scheduled" if started else "analytics sync: already scheduled")
            return
        result = services.analytics_sync()
        self.stdout.write(f"analytics sync: {result.as_dict()}")
