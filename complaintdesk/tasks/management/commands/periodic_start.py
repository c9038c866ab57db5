"""Start every periodic job's chain on the worker's queue (`tasks.periodic`): what bin/run and the
deployment run once, after the migrations. Idempotent: a job whose chain is alive is left alone, a job
that is switched off (the mail poll without IMAP_URL) is not started.

    manage.py periodic_start           # start what is not running, print each job and its next run
    manage.py periodic_start --list    # only show the jobs and their schedule
"""

from django.core.management.base import BaseCommand, CommandError

from complaintdesk.common.time import to_local
from complaintdesk.tasks.models import PeriodicJob
from complaintdesk.tasks.periodic import periodic_jobs, periodic_start, periodic_supported


class Command(BaseCommand):
    help = "Start the chain of every periodic job (SLA sweep, mail poll, digests …) unless it is running."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="show the jobs, start nothing")

    def handle(self, *args, list=False, **options):
        if not list and not periodic_supported():
            raise CommandError("the task backend cannot defer tasks: no periodic job can be started")
        rows = {row.name: row for row in PeriodicJob.objects.all()}
        failed = []
        for job in periodic_jobs():
            if list:
                state = "on" if job.is_enabled() else "off"
            elif not job.is_enabled():
                state = "off"
            else:
                try:
                    state = "started" if periodic_start(job.name) else "already scheduled"
                except Exception as error:
                    failed.append(job.name)
                    state = f"could not start: {type(error).__name__}: {error}"
                rows[job.name] = PeriodicJob.objects.filter(name=job.name).first()
            row = rows.get(job.name)
            next_run = f"{to_local(row.next_run_at):%Y-%m-%d %H:%M:%S}" if row and row.next_run_at else "—"
            self.stdout.write(f"{job.name}: {state}, next run {next_run}")
        if failed:
            raise CommandError(f"could not start: {', '.join(failed)}")
