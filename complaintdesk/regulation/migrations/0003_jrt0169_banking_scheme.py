"""Ships JR/T 0169-2018 《金融消费者投诉统计分类及编码 银行业金融机构》 as classification scheme
`jrt0169-2018-bank` version 1: its three dimensions (A 业务办理渠道, B 业务类别, C 投诉原因) at the levels
known to the product ("other" = 99). The full official table is loaded as a new version with
`manage.py regulation_import_scheme` or the admin action. Reads data/jrt0169_2018_bank.csv with the csv
module only (a migration must not depend on application code that may change)."""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "jrt0169_2018_bank.csv"
SCHEME = {
    "code": "jrt0169-2018-bank",
    "version": 1,
    "name": "JR/T 0169-2018 金融消费者投诉统计分类及编码（银行业金融机构）",
    "name_en": "JR/T 0169-2018 Financial consumer complaint classification and codes (banking institutions)",
    "source": (
        "中国人民银行 金融行业标准 JR/T 0169-2018《金融消费者投诉统计分类及编码 银行业金融机构》。"
        "本版本包含标准中已知层级的代码（“其他”编码为 99）；代码值请与标准文本核对，完整代码表可通过 CSV 导入为新版本。"
    ),
}


def load(apps, schema_editor):
    Scheme = apps.get_model("regulation", "ClassificationScheme")
    Dimension = apps.get_model("regulation", "ClassificationDimension")
    Code = apps.get_model("regulation", "ClassificationCode")
    if Scheme.objects.filter(code=SCHEME["code"], version=SCHEME["version"]).exists():
        return
    scheme = Scheme.objects.create(is_active=True, **SCHEME)
    dimensions, codes, levels = {}, {}, {}
    with CSV_PATH.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            dimension = dimensions.get(row["dimension"])
            if dimension is None:
                dimension = dimensions[row["dimension"]] = Dimension.objects.create(
                    scheme=scheme, code=row["dimension"], name=row["dimension_name"],
                    name_en=row["dimension_name_en"], sort_order=len(dimensions),
                )
            parent = codes.get((row["dimension"], row["parent"])) if row["parent"] else None
            level = levels[(row["dimension"], row["parent"])] + 1 if parent else 1
            codes[(row["dimension"], row["code"])] = Code.objects.create(
                dimension=dimension, code=row["code"], name=row["name"], name_en=row["name_en"], parent=parent,
                level=level, keywords=row["keywords"],
            )
            levels[(row["dimension"], row["code"])] = level


def unload(apps, schema_editor):
    apps.get_model("regulation", "ClassificationScheme").objects.filter(
        code=SCHEME["code"], version=SCHEME["version"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("regulation", "0002_deadline_packs")]
    operations = [migrations.RunPython(load, unload)]
