"""The after-intake outbox gets one row per job (acknowledgement, enrichment) instead of one per case, and
the queue's id of the job sent, so that a job still waiting in the queue is not sent again."""

import django.db.models.deletion
from django.db import migrations, models

STEPS = (
    "complaintdesk.channels.intake_tasks.enrich_after_intake",
    "complaintdesk.channels.intake_tasks.acknowledge_after_intake",
)


def rows_per_step(apps, schema_editor):
    old = apps.get_model("cd_tasks", "AfterIntakePending")
    new = apps.get_model("cd_tasks", "AfterIntakeJob")
    new.objects.bulk_create(
        [
            new(complaint_id=row.complaint_id, task_path=path, queued_at=row.queued_at, attempts=row.attempts)
            for row in old.objects.all()
            for path in STEPS
        ]
    )


def rows_per_case(apps, schema_editor):
    old = apps.get_model("cd_tasks", "AfterIntakePending")
    new = apps.get_model("cd_tasks", "AfterIntakeJob")
    seen = {}
    for row in new.objects.order_by("queued_at"):
        seen.setdefault(row.complaint_id, row)
    old.objects.bulk_create(
        [old(complaint_id=cid, queued_at=row.queued_at, attempts=row.attempts) for cid, row in seen.items()]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cd_tasks", "0001_after_intake_outbox"),
        ("complaints", "0008_case_number_sequence"),
    ]

    operations = [
        migrations.CreateModel(
            name="AfterIntakeJob",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("task_path", models.CharField(max_length=200, verbose_name="任务")),
                ("queued_at", models.DateTimeField(db_index=True, verbose_name="最近入队时间")),
                ("attempts", models.PositiveSmallIntegerField(default=1, verbose_name="入队次数")),
                (
                    "job_id",
                    models.CharField(blank=True, default="", max_length=64, verbose_name="队列中的任务编号"),
                ),
                (
                    "complaint",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        to="complaints.complaint",
                        verbose_name="投诉",
                    ),
                ),
            ],
            options={
                "verbose_name": "待处理的受理后任务",
                "verbose_name_plural": "待处理的受理后任务",
                "constraints": [
                    models.UniqueConstraint(fields=("complaint", "task_path"), name="tasks_after_intake_job_once")
                ],
            },
        ),
        migrations.RunPython(rows_per_step, rows_per_case),
        migrations.DeleteModel(name="AfterIntakePending"),
    ]
