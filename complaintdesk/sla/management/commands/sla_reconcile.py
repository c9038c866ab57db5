"""Handle every deadline that passed while nothing was running, each exactly once.

manage.py sla_reconcile             # handle everything due now, print what was done
manage.py sla_reconcile --dry-run   # only count what is due
manage.py sla_reconcile --schedule  # start the worker's periodic sweep unless it runs
                                    # (`manage.py periodic_start` starts every periodic job)
"""

import json

from django.core.management.base import BaseCommand

from complaintdesk.common.time import now
from complaintdesk.sla import timers
from complaintdesk.tasks.periodic import periodic_start, periodic_supported


class Command(BaseCommand):
    help = "Handle every SLA timer whose time has passed (warnings and breaches), each exactly once."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count the due timers, change nothing")
        parser.add_argument("--schedule", action="store_true", help="start the worker's periodic sweep")
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, dry_run=False, schedule=False, batch=500, **options):
        if schedule:
            if not periodic_supported():
                self.stderr.write("the task backend cannot defer tasks: run sla_reconcile from cron instead")
                return
            started = periodic_start(timers.SWEEP_JOB)
            self.stdout.write(
                "periodic SLA sweep started" if started else "periodic SLA sweep: already scheduled"
            )
            return
        if dry_run:
            self.stdout.write(json.dumps({"due": timers.timers_due(cutoff=now())}))
            return
        result = timers.timers_reconcile(batch=batch)
        self.stdout.write(json.dumps(result.as_dict()))
