from django.core.management.base import BaseCommand

from complaintdesk.analytics import services
from complaintdesk.analytics.tasks import analytics_sync


class Command(BaseCommand):
    help = "Bring the KPI facts and monthly rollups up to date (or --schedule the periodic task)."

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true", help="enqueue the periodic sync task")

    def handle(self, *args, schedule=False, **options):
        if schedule:
            analytics_sync.enqueue(periodic=True)
            self.stdout.write("analytics sync scheduled")
            return
        result = services.analytics_sync()
        self.stdout.write(f"analytics sync: {result.as_dict()}")
