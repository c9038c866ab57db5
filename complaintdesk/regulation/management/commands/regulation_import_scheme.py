"""manage.py regulation_import_scheme FILE --code jrt0169-2018-bank --scheme-version 2 --name "…": a classification
scheme's new version from CSV, all or nothing; every bad row is reported with its line number."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from complaintdesk.common.errors import DomainError
from complaintdesk.regulation.classification_csv import SchemeCsvError, problem_text
from complaintdesk.regulation.models import ClassificationScheme
from complaintdesk.regulation.services import scheme_import_csv


class Command(BaseCommand):
    help = "Import a classification scheme (hierarchical codes per dimension) from CSV as a new version."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8 or GB18030) with a header row")
        parser.add_argument("--code", required=True, help="scheme code, e.g. jrt0169-2018-bank")
        parser.add_argument("--scheme-version", type=int, help="new version number (default: the latest + 1)")
        parser.add_argument("--name", help="scheme name (default: the latest version's)")
        parser.add_argument("--name-en", default=None)
        parser.add_argument("--source", default=None)
        parser.add_argument(
            "--no-activate", action="store_true", help="import without making it the active version"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("无法读取文件 %(path)s：%(error)s") % {"path": path, "error": exc.strerror}
            ) from None
        latest = ClassificationScheme.objects.filter(code=options["code"]).order_by("-version").first()
        name = options["name"] or (latest.name if latest else "")
        if not name:
            raise CommandError(_("新的分类标准请用 --name 给出名称。"))
        try:
            scheme = scheme_import_csv(
                code=options["code"],
                version=options["scheme_version"] or ((latest.version + 1) if latest else 1),
                name=name,
                name_en=options["name_en"]
                if options["name_en"] is not None
                else (latest.name_en if latest else ""),
                source=options["source"]
                if options["source"] is not None
                else (latest.source if latest else ""),
                data=data,
                activate=not options["no_activate"],
            )
        except SchemeCsvError as exc:
            lines = "\n".join(problem_text(line, message) for line, message in exc.problems)
            raise CommandError(_("未导入任何内容：\n%(problems)s") % {"problems": lines}) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            _("已导入 %(scheme)s：%(codes)d 个代码。") % {"scheme": scheme, "codes": scheme.code_count}
        )
