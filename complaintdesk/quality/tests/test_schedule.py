"""The periodic draw: the command starts one daily chain on the worker; each run draws the last
complete period of the policy."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from complaintdesk.quality.models import QaPeriod, QaSample
from complaintdesk.quality.tasks import SAMPLE_JOB, last_period_draw

from .conftest import closed_in_november, local

OUR_DB_TASKS = {"default": {"BACKEND": "complaintdesk.tasks.backend.DatabaseBackend", "QUEUES": ["default"]}}


def test_schedule_queues_one_daily_run(org, capsys, time_machine):
    from django_tasks_db.models import DBTaskResult

    time_machine.move_to(local(2026, 12, 1, 10), tick=False)
    with override_settings(TASKS=OUR_DB_TASKS):
        call_command("quality_sample", "--schedule")
        call_command("quality_sample", "--schedule")
    out = capsys.readouterr().out
    assert "next run 2026-12-02 02:00" in out and "already scheduled" in out
    [row] = DBTaskResult.objects.filter(task_path="complaintdesk.tasks.periodic.periodic_run")
    assert row.args_kwargs["args"][0] == SAMPLE_JOB and row.run_after == local(2026, 12, 2, 2)


@pytest.mark.parametrize("today", [local(2026, 12, 1, 2), local(2026, 12, 20, 2)])
def test_a_run_draws_the_last_complete_month(org, make_case, time_machine, today):
    closed_in_november(make_case, org.agent_a, 4)
    time_machine.move_to(today, tick=False)
    result = last_period_draw()
    assert result["period"] == "2026-11-01 – 2026-11-30" and result["drawn"] == 3
    assert last_period_draw()["drawn"] == 0  # the next day's run only tops up
    assert QaPeriod.objects.count() == 1 and QaSample.objects.count() == 3
