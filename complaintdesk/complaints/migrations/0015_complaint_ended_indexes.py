"""The retention job's search for ended cases (privacy.selectors.expired_case_ids): closed before a day,
withdrawn before a day — a range each. Partial indexes: only ended cases are in them, so the updates of
open cases (the SLA sweep, the queues) never write to them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("complaints", "0014_event_redaction")]

    operations = [
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("status", "closed")), fields=["closed_at"], name="cpl_closed_at"
            ),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("status", "withdrawn")), fields=["withdrawn_at"], name="cpl_withdrawn_at"
            ),
        ),
    ]
