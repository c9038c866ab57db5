import time

from django.core.management.base import BaseCommand

from complaintdesk.analytics import services


class Command(BaseCommand):
    help = "Recompute every KPI fact and monthly rollup from the complaints."

    def handle(self, *args, **options):
        started = time.monotonic()

        def progress(done: int) -> None:
            if done % 50000 < 2000:
                self.stdout.write(f"  {done:>9,} facts  {time.monotonic() - started:7.1f} s")

        result = services.analytics_rebuild(progress=progress)
        self.stdout.write(f"analytics rebuilt: {result} in {time.monotonic() - started:.1f} s")
