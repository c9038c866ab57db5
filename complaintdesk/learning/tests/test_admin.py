"""The admin lists training cases and service logs in words, and changes none of them: consent is the
handler's, the text is depersonalised by the service, the log is the agent's."""

import pytest
from django.test import Client

from complaintdesk.accounts.services import user_create
from complaintdesk.learning import services
from complaintdesk.testing import handling_case, resolve


@pytest.fixture
def admin_client(org):
    admin = user_create(
        username="root", password=None, role="administrator", org_unit=org.hq, display_name="管理员"
    )
    client = Client()
    client.force_login(admin)
    return client


def test_the_admin_shows_cases_and_logs_and_edits_none(org, admin_client):
    complaint = handling_case(org.agent_a)
    resolve(org.agent_a, complaint.number)
    case = services.training_case_propose(
        number=complaint.number, actor=org.manager, kind="good", title="耐心解释", lesson="先复述诉求"
    )
    entry = services.service_log_write(actor=org.agent_a, went_well="准时回访", to_improve="")
    cases = admin_client.get("/admin/learning/trainingcase/").content.decode()
    assert "耐心解释" in cases and complaint.number in cases and "待经办人同意" in cases
    assert "准时回访" in admin_client.get("/admin/learning/servicelogentry/").content.decode()
    page = admin_client.get(f"/admin/learning/trainingcase/{case.pk}/change/")
    assert page.status_code == 200 and 'name="title"' not in page.content.decode()
    assert admin_client.get("/admin/learning/trainingcase/add/").status_code == 403
    assert (
        admin_client.post(f"/admin/learning/servicelogentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    entry.refresh_from_db()
