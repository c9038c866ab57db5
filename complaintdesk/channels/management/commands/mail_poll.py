"""Take in the customer mailbox's unseen mails (IMAP_URL).

manage.py mail_poll              # one pass, print what became of the mails
manage.py mail_poll --loop       # pass after pass, every MAIL_POLL_INTERVAL_SECONDS (Ctrl-C stops)
manage.py mail_poll --schedule   # start the worker's periodic poll unless it runs, and return
                                 # (`manage.py periodic_start` starts every periodic job)
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from complaintdesk.channels.email import poller
from complaintdesk.channels.email.services import mail_poll_interval
from complaintdesk.channels.email.tasks import MAIL_POLL_JOB
from complaintdesk.common.time import now
from complaintdesk.tasks.periodic import periodic_result_record, periodic_start, periodic_supported


class Command(BaseCommand):
    help = "Take in the unseen mails of the customer mailbox (IMAP_URL): new complaints and replies to cases."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="poll again every MAIL_POLL_INTERVAL_SECONDS")
        parser.add_argument("--schedule", action="store_true", help="enqueue the worker's periodic poll")
        parser.add_argument("--limit", type=int, default=None, help="at most this many mails per pass")

    def handle(self, *args, loop=False, schedule=False, limit=None, **options):
        config = poller.mailbox_config()
        if config is None:
            raise CommandError("IMAP_URL is not set")
        if schedule:
            if not periodic_supported():
                raise CommandError("the task backend cannot defer tasks: run mail_poll --loop instead")
            started = periodic_start(MAIL_POLL_JOB)
            self.stdout.write(
                f"periodic mail poll of {config.name} " + ("started" if started else "already scheduled")
            )
            return
        while True:
            try:
                result = poller.mailbox_poll(config=config, limit=limit).as_dict()
            except Exception as error:
                if not loop:
                    raise CommandError(f"{config.name}: {type(error).__name__}: {error}") from error
                result = {"mailbox": config.name, "error": f"{type(error).__name__}: {error}"[:500]}
            periodic_result_record(MAIL_POLL_JOB, at=now(), result=result, failed="error" in result)
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            if not loop:
                return
            time.sleep(mail_poll_interval().total_seconds())
