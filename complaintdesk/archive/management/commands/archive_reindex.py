"""Rebuild the archive's search index: every closed case and published article, in batches."""

import time

from django.core.management.base import BaseCommand

from complaintdesk.archive.indexing import reindex_all


class Command(BaseCommand):
    help = "Index closed cases and published knowledge articles for archive search (batched, resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=5000, help="cases per transaction")
        parser.add_argument("--after-id", type=int, default=0, help="resume after this complaint id")
        parser.add_argument("--limit", type=int, default=0, help="stop after this many cases (0: all)")
        parser.add_argument(
            "--pause",
            type=float,
            default=0.0,
            help="seconds to wait after each batch that rewrote entries (gentler on searches meanwhile)",
        )

    def handle(self, *args, batch, after_id, limit, pause, **options):
        started = time.monotonic()

        def progress(done: int, last_id: int, rewritten: int) -> None:
            elapsed = time.monotonic() - started
            self.stdout.write(
                f"{done} cases checked, {rewritten} rewritten (last id {last_id}), {elapsed:.0f} s,"
                f" {done / max(elapsed, 1e-9):.0f}/s"
            )

        done = reindex_all(batch=batch, after_id=after_id, limit=limit, progress=progress, pause=pause)
        self.stdout.write(
            self.style.SUCCESS(
                f"indexed {done.cases} cases ({done.rewritten} rewritten, the others unchanged),"
                f" {done.articles} articles"
            )
        )
