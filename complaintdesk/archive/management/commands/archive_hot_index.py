"""Build the archive's hot search index of the current (and next) month boundary, drop older ones."""

from django.core.management.base import BaseCommand

from complaintdesk.archive.hot import rotate


class Command(BaseCommand):
    help = "Rotate the partial GIN index over the last 12 months that recent-first archive search reads."

    def handle(self, *args, **options):
        result = rotate()
        self.stdout.write(
            self.style.SUCCESS(
                f"created {result['created'] or '-'}, dropped {result['dropped'] or '-'},"
                f" kept {result['kept'] or '-'}"
            )
        )
