"""Draw the quality-inspection sample (质检抽样) of a period now, or start the worker's daily chain.

manage.py quality_sample                                 # the last complete period of the policy
manage.py quality_sample --start 2026-11-01 --end 2026-11-30 [--seed S]
manage.py quality_sample --schedule                      # daily at QUALITY_SAMPLE_HOUR, unless scheduled
                                                         # (bin/run: `manage.py periodic_start`, every job)
"""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from complaintdesk.common.errors import InvalidInput
from complaintdesk.common.time import to_local
from complaintdesk.quality.services import quality_sample_draw
from complaintdesk.quality.tasks import SAMPLE_JOB, last_period_draw
from complaintdesk.tasks.periodic import periodic_start


class Command(BaseCommand):
    help = "Draw each agent's quality-inspection sample for a period, or schedule the daily draw."

    def add_arguments(self, parser):
        parser.add_argument("--start", help="first local day of the period (YYYY-MM-DD)")
        parser.add_argument("--end", help="last local day of the period (YYYY-MM-DD), inclusive")
        parser.add_argument("--seed", help="random seed (reruns of a period must use the same one)")
        parser.add_argument(
            "--schedule", action="store_true", help="queue the daily run on the worker instead"
        )

    def handle(self, *args, start=None, end=None, seed=None, **options):
        if options.get("schedule"):
            run_at = periodic_start(SAMPLE_JOB)
            self.stdout.write(
                f"quality sample: next run {to_local(run_at):%Y-%m-%d %H:%M}"
                if run_at
                else "quality sample: already scheduled"
            )
            return
        if bool(start) != bool(end):
            raise CommandError("--start and --end go together")
        try:
            if start:
                result = quality_sample_draw(
                    period_start=dt.date.fromisoformat(start),
                    period_end=dt.date.fromisoformat(end),
                    seed=seed,
                ).as_dict()
            else:
                result = last_period_draw(seed=seed)
        except ValueError as error:
            raise CommandError(str(error)) from None
        except InvalidInput as error:
            raise CommandError(json.dumps(error.fields, ensure_ascii=False)) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False))
