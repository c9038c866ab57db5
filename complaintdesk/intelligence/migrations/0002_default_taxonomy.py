"""The shipped keyword taxonomy for SPEC §2's categories (Chinese and English)."""

from django.db import migrations

# A frozen copy would drift from the documented taxonomy; the module holds plain data only.
from complaintdesk.intelligence.taxonomy import default_keyword_rows


def load(apps, schema_editor):
    CategoryKeyword = apps.get_model("intelligence", "CategoryKeyword")
    existing = set(CategoryKeyword.objects.values_list("category_code", "keyword"))
    CategoryKeyword.objects.bulk_create(
        [
            CategoryKeyword(category_code=code, keyword=keyword, weight=weight)
            for code, keyword, weight in default_keyword_rows()
            if (code, keyword) not in existing
        ]
    )


def unload(apps, schema_editor):
    CategoryKeyword = apps.get_model("intelligence", "CategoryKeyword")
    for code, keyword, _weight in default_keyword_rows():
        CategoryKeyword.objects.filter(category_code=code, keyword=keyword).delete()


class Migration(migrations.Migration):
    dependencies = [("intelligence", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
