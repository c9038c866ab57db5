"""manage.py timeline_verify [NUMBER ...]: check every case's hash chain (complaints.timeline) and report
the first broken link. Exit status 1 when one is found, so a cron job or a monitor can alert on it."""

from django.core.management.base import BaseCommand, CommandError

from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.timeline import chain_rows, chains_verify


class Command(BaseCommand):
    help = "Verify the tamper-evident hash chain of the case timelines; report the first broken link."

    def add_arguments(self, parser):
        parser.add_argument("numbers", nargs="*", help="only these case numbers (default: every case)")

    def handle(self, *args, numbers, **options):
        ids = None
        if numbers:
            ids = list(Complaint.objects.filter(number__in=numbers).values_list("id", flat=True))
            if len(ids) != len(set(numbers)):
                raise CommandError("unknown case number among: " + " ".join(numbers))
        report = chains_verify(chain_rows(complaint_ids=ids))
        summary = (
            f"{report.cases} cases, {report.events} events checked"
            f" ({report.unchained} recorded before the chain existed)"
        )
        if report.broken is None:
            self.stdout.write(f"timeline intact: {summary}")
            return
        broken = report.broken
        number = Complaint.objects.filter(pk=broken.complaint_id).values_list("number", flat=True).first()
        self.stdout.write(summary)
        raise CommandError(
            f"timeline broken: case {number}, event {broken.event_id} at {broken.at.isoformat()}: {broken.why}"
        )
