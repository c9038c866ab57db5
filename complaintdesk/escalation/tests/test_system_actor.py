"""The ladder acts by itself as one named system account (accounts.system, created by migration): a
breach escalates the case as `system.escalation`, and the case page names it in the reader's language,
never by its username."""

import datetime as dt

from django.test import Client

from complaintdesk.accounts.models import SystemUser
from complaintdesk.accounts.system import system_user
from complaintdesk.complaints.models import ComplaintEvent
from complaintdesk.escalation.defaults import DEFAULT_LADDER

from .conftest import handling_case, local, sweep


def test_a_breach_escalates_as_the_ladders_system_account_shown_by_name(ladder_org, clock):
    org = ladder_org
    clock.at(local(2026, 9, 22, 10))
    complaint = handling_case(org)
    clock.at(local(2026, 9, 24, 10) + dt.timedelta(seconds=1))  # the front line's 48 h are over
    sweep()

    escalated = ComplaintEvent.objects.get(complaint=complaint, field="escalation_level")
    assert escalated.actor == system_user(SystemUser.ESCALATION)
    assert escalated.actor.username == "system.escalation"  # rows written before keep pointing at it

    client = Client()
    client.force_login(org.agent_a)
    page = client.get(f"/complaints/{complaint.number}/").content.decode()
    assert "升级规则（系统）" in page and "system.escalation" not in page
    page = client.get(f"/complaints/{complaint.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Escalation rules (system)" in page and "system.escalation" not in page


def test_the_levels_on_the_timeline_read_in_the_readers_language(ladder_org, clock):
    """升级层级 一线客服 → 业务经理 on a Chinese page; the levels' English names on an English one (the
    built-in ladder's here; a configured level's name_en the same way)."""
    org = ladder_org
    clock.at(local(2026, 9, 22, 10))
    complaint = handling_case(org)
    clock.at(local(2026, 9, 24, 10) + dt.timedelta(seconds=1))
    sweep()
    escalated = ComplaintEvent.objects.get(complaint=complaint, field="escalation_level")
    names = {level.name: level.name_en for level in DEFAULT_LADDER.levels}

    client = Client()
    client.force_login(org.agent_a)
    chinese = client.get(f"/complaints/{complaint.number}/").content.decode()
    assert escalated.old_value in chinese and escalated.new_value in chinese
    english = client.get(f"/complaints/{complaint.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert names[escalated.old_value] in english and names[escalated.new_value] in english
    assert escalated.new_value not in english
