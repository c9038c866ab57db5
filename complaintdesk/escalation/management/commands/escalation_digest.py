"""Send today's escalation digest now (`escalation_digest`), or start the worker's daily run unless it is
scheduled (`escalation_digest --schedule`; at ESCALATION_DIGEST_HOUR local, default 8; `manage.py
periodic_start`, run by bin/run, starts every periodic job)."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from complaintdesk.common.time import to_local
from complaintdesk.escalation.digest import digests_send
from complaintdesk.escalation.tasks import DIGEST_JOB
from complaintdesk.tasks.periodic import periodic_start


class Command(BaseCommand):
    help = "Send the daily escalation digest to each level holder, or schedule the daily run."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to report (YYYY-MM-DD, local); default today")
        parser.add_argument(
            "--schedule", action="store_true", help="queue the daily run on the worker instead"
        )

    def handle(self, *args, date=None, schedule=False, **options):
        if schedule:
            run_at = periodic_start(DIGEST_JOB)
            self.stdout.write(
                f"escalation digest: next run {to_local(run_at):%Y-%m-%d %H:%M}"
                if run_at
                else "escalation digest: already scheduled"
            )
            return
        try:
            day = dt.date.fromisoformat(date) if date else None
        except ValueError as error:
            raise CommandError(f"--date: {error}") from None
        self.stdout.write(json.dumps(digests_send(day=day)))
