"""manage.py regulation_statistics --user NAME --from 2026-10-01 --to 2026-10-31 [--unit SH] [--rows A,B]
[--column C] [--level A=1] [--layout NAME] --out stats.xlsx: the regulatory statistics workbook, as that user may see it."""

import datetime as dt
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from complaintdesk.common.errors import DomainError
from complaintdesk.orgs.models import OrgUnit
from complaintdesk.regulation.statistics import StatsLayout, regulatory_statistics_export, stats_layout_saved


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("日期格式应为 YYYY-MM-DD：%(value)s") % {"value": text}) from None


class Command(BaseCommand):
    help = "Export the regulatory statistics (counts by classification codes and statutory outcome) as .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username whose units the export covers")
        parser.add_argument("--from", dest="start", required=True, help="first day received, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day received, YYYY-MM-DD")
        parser.add_argument("--unit", help="unit code (default: the user's scope)")
        parser.add_argument("--scheme", help="scheme code (default: the only active one)")
        parser.add_argument("--rows", default="A,B", help="dimensions as rows, e.g. A,B")
        parser.add_argument("--column", default="C", help="dimension spread over columns ('' for none)")
        parser.add_argument("--level", action="append", default=[], help="roll a dimension up, e.g. A=1")
        parser.add_argument("--layout", help="a saved layout's name (replaces --rows, --column, --level)")
        parser.add_argument("--out", required=True, help="the .xlsx file to write")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"]).select_related("org_unit").first()
        if user is None:
            raise CommandError(_("用户 %(name)s 不存在。") % {"name": options["user"]})
        unit = None
        if options["unit"]:
            unit = OrgUnit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(_("机构 %(code)s 不存在。") % {"code": options["unit"]})
        levels = {}
        for item in options["level"]:
            dimension, _sep, level = item.partition("=")
            if not level.isdigit() or int(level) < 1:
                raise CommandError(_("层级应写成 维度=数字，例如 A=1：%(value)s") % {"value": item})
            levels[dimension.strip()] = int(level)
        layout = StatsLayout(
            rows=tuple(d.strip() for d in options["rows"].split(",") if d.strip()),
            column=options["column"].strip() or None,
            levels=levels,
        )
        try:
            if options["layout"]:
                layout = stats_layout_saved(name=options["layout"])
            data = regulatory_statistics_export(
                actor=user, start=_date(options["start"]), end=_date(options["end"]), unit=unit, layout=layout,
                scheme_code=options["scheme"],
            )  # fmt: skip
        except DomainError as exc:
            details = "; ".join(m for messages in exc.fields.values() for m in messages)
            raise CommandError(f"{exc.message} {details}".strip()) from None
        Path(options["out"]).write_bytes(data)
        self.stdout.write(_("已写入 %(path)s") % {"path": options["out"]})
