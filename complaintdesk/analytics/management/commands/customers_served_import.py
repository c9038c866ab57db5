from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from complaintdesk.analytics.services import customers_served_import
from complaintdesk.common.errors import InvalidInput


class Command(BaseCommand):
    help = "Import customers served per unit and month from a CSV or .xlsx file (机构编码, 月份, 服务客户数)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        file = Path(path)
        try:
            n = customers_served_import(content=file.read_bytes(), filename=file.name, actor=None)
        except InvalidInput as exc:
            raise CommandError("; ".join(str(m) for msgs in exc.fields.values() for m in msgs)) from exc
        self.stdout.write(f"imported {n} rows")
