"""The demo has a training library to read (published, waiting for the handler, declined) and service
logs a supervisor reads for their own units only; nothing of a customer is in the library."""

import io

import pytest
from django.core.management import call_command

from complaintdesk.accounts.models import User
from complaintdesk.inbox.models import StaffNotification
from complaintdesk.learning.models import Consent, TrainingCase
from complaintdesk.learning.selectors import service_logs_readable, training_cases_published


@pytest.mark.django_db
def test_the_demo_has_a_library_and_service_logs(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.VAR_DIR = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO(), complaints=40, seed=3)
    cases = list(TrainingCase.objects.select_related("complaint__customer"))
    assert {c.consent for c in cases} == {Consent.GRANTED, Consent.ASKED, Consent.DECLINED}
    for case in cases:
        customer = case.complaint.customer
        for personal in (customer.name, customer.phone, customer.phone.removeprefix("+86")):
            assert personal not in case.narrative + case.title
    waiting = next(c for c in cases if c.consent == Consent.ASKED)
    assert StaffNotification.objects.filter(user_id=waiting.handler_id, kind="learning_consent").exists()
    agent_hz = User.objects.get(username="agent_hz")
    assert training_cases_published(user=agent_hz)  # every unit reads the library

    manager_sh = User.objects.get(username="manager_sh")
    readers_units = {e.agent.username for e in service_logs_readable(reader=manager_sh)}
    assert readers_units and readers_units <= {"agent_sh", "agent_sh01", "manager_sh", "head_sh"}
