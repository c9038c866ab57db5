import time

from django.core.management.base import BaseCommand

from complaintdesk.analytics import services


class Command(BaseCommand):
    help = "Recompute every KPI fact and monthly rollup from the complaints."

    def add_arguments(self, parser):
        parser.add_argument(
            "--workers", type=int, default=1, help="processes computing facts at once (PostgreSQL; default 1)"
        )

    def handle(self, *args, workers=1, **options):
        started = time.monotonic()
        reported = [0]

        def progress(done: int) -> None:
            if done - reported[0] >= 50000:
                reported[0] = done
                self.stdout.write(f"  {done:>9,} facts  {time.monotonic() - started:7.1f} s")

        result = services.analytics_rebuild(progress=progress, workers=max(1, workers))
        self.stdout.write(f"analytics rebuilt: {result} in {time.monotonic() - started:.1f} s")
