"""Fewer indexes written by each intake (issue 17): a complaint was inserted into 24 indexes, an event into 4.

- The complaint's unit: its own index dropped; cpl_unit_created (org_unit, -created_at) begins with it.
- Category, assignee, recorded_by, credited_user, credited_unit: empty when a case comes in. Their full
  indexes became partial ones without the NULLs (cpl_<field>), so an intake writes none of them; `= x`
  lookups and the PROTECT checks use them as before.
- The event's complaint: its own index dropped; cpl_event_complaint_at (complaint, at) begins with it.

Built and dropped CONCURRENTLY on PostgreSQL (common.online_schema; this migration is not atomic): intake
goes on meanwhile, also on a 10M complaint table. The new indexes are built before the old ones go.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from complaintdesk.common.online_schema import AddIndexOnline, FieldIndexDropOnline


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ('complaints', '0016_event_redaction_removes_only'),
        ('orgs', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        *[
            AddIndexOnline(
                model_name="complaint",
                index=models.Index(
                    condition=models.Q((f"{name}__isnull", False)), fields=[name], name=f"cpl_{name}"
                ),
            )
            for name in ("category", "assignee", "recorded_by", "credited_user", "credited_unit")
        ],
        FieldIndexDropOnline(
            model_name='complaint',
            name='assignee',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='assigned_complaints', to=settings.AUTH_USER_MODEL, verbose_name='处理人'),
        ),
        FieldIndexDropOnline(
            model_name='complaint',
            name='category',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, to='complaints.category', verbose_name='类别'),
        ),
        FieldIndexDropOnline(
            model_name='complaint',
            name='credited_unit',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.orgunit', verbose_name='受表扬机构'),
        ),
        FieldIndexDropOnline(
            model_name='complaint',
            name='credited_user',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='praise_received', to=settings.AUTH_USER_MODEL, verbose_name='受表扬人员'),
        ),
        FieldIndexDropOnline(
            model_name='complaint',
            name='org_unit',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, to='orgs.orgunit', verbose_name='受理机构'),
        ),
        FieldIndexDropOnline(
            model_name='complaint',
            name='recorded_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='记录人'),
        ),
        FieldIndexDropOnline(
            model_name='complaintevent',
            name='complaint',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='events', to='complaints.complaint'),
        ),
    ]
