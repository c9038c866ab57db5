"""Complaints per affected customer with and without a proactive notice, per incident and in total."""

from django.core.management.base import BaseCommand

from complaintdesk.outreach.effect import notice_effects


def _rate(value) -> str:
    return "—" if value is None else f"{value:.3f}"


class Command(BaseCommand):
    help = "Print complaints per affected customer, with and without a proactive notice, for each incident."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=50, help="latest incidents to read")

    def handle(self, *args, limit: int, **options):
        rows = notice_effects(limit=limit)
        header = ("incident", "noticed customers", "their complaints", "per customer",
                  "not noticed", "their complaints", "per customer")  # fmt: skip
        self.stdout.write(" | ".join(header))
        totals = [0, 0, 0, 0]
        for row in rows:
            self.stdout.write(" | ".join([
                f"{row.incident.pk} {row.incident.title}", str(row.noticed_customers), str(row.noticed_complaints),
                _rate(row.with_notice), str(row.unnoticed_customers), str(row.unnoticed_complaints),
                _rate(row.without_notice),
            ]))  # fmt: skip
            for i, value in enumerate((row.noticed_customers, row.noticed_complaints, row.unnoticed_customers,
                                       row.unnoticed_complaints)):  # fmt: skip
                totals[i] += value
        with_notice = totals[1] / totals[0] if totals[0] else None
        without = totals[3] / totals[2] if totals[2] else None
        self.stdout.write(
            f"all incidents: with notice {totals[1]} complaints / {totals[0]} customers = {_rate(with_notice)}; "
            f"without notice {totals[3]} / {totals[2]} = {_rate(without)}"
        )
