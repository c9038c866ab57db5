"""The timer's complaint: its own index dropped (issue 17: three index writes fewer per intake);
sla_timer_clock (complaint, kind, subject) begins with it. Dropped CONCURRENTLY on PostgreSQL
(common.online_schema; not atomic).
"""

import django.db.models.deletion
from django.db import migrations, models

from complaintdesk.common.online_schema import FieldIndexDropOnline


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ('complaints', '0017_intake_writes_fewer_indexes'),
        ('sla', '0006_timer_kinds_statutory'),
    ]

    operations = [
        FieldIndexDropOnline(
            model_name='slatimer',
            name='complaint',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='sla_timers', to='complaints.complaint', verbose_name='投诉'),
        ),
    ]
