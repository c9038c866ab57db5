"""The idempotency key's principal: its own index dropped (issue 17: one index fewer per intake); the unique
(principal, key) begins with it. Dropped CONCURRENTLY on PostgreSQL (common.online_schema; not atomic).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from complaintdesk.common.online_schema import FieldIndexDropOnline


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ('api', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        FieldIndexDropOnline(
            model_name='idempotencykey',
            name='principal',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
    ]
