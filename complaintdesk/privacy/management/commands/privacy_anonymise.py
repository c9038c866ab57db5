"""Anonymise the personal data of cases whose retention has ended (the daily job, run by hand).

manage.py privacy_anonymise              # batches of PRIVACY_ANONYMISE_BATCH until none is left (or 50)
manage.py privacy_anonymise --once       # one batch
manage.py privacy_anonymise --dry-run    # how many would be anonymised now, nothing written
"""

from django.core.management.base import BaseCommand

from complaintdesk.common.time import now
from complaintdesk.privacy.selectors import expired_case_ids
from complaintdesk.privacy.services import cases_anonymise
from complaintdesk.privacy.tasks import anonymise_expired


class Command(BaseCommand):
    help = "Anonymise the personal data of closed cases whose retention period has ended (no legal hold)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one batch only")
        parser.add_argument("--batch", type=int, default=200, help="cases per batch (default 200)")
        parser.add_argument("--dry-run", action="store_true", help="count, write nothing")

    def handle(self, *args, once=False, batch=200, dry_run=False, **options):
        if dry_run:
            ids, held = expired_case_ids(at=now(), limit=10000)
            self.stdout.write(f"expired: {len(ids)}{'+' if len(ids) >= 10000 else ''}, held back: {held}")
            return
        if once:
            run = cases_anonymise(batch_size=batch)
            result = {"cases": run.cases, "customers": run.customers, "attachments": run.attachments,
                      "held": run.held, "remaining": run.remaining}  # fmt: skip
        else:
            result = anonymise_expired(batch=batch)
        self.stdout.write(" ".join(f"{k}={v}" for k, v in result.items()))
