"""/metrics: Prometheus text for the monitoring system and staff only; what it exports."""

import pytest
from django.test import Client, override_settings

from complaintdesk.accounts.models import Role
from complaintdesk.accounts.services import user_create
from complaintdesk.testing import intake

pytestmark = pytest.mark.django_db


@override_settings(METRICS_TOKEN="s3cret-metrics-token")
def test_only_the_token_and_staff_see_the_metrics(org):
    assert Client().get("/metrics").status_code == 404
    assert Client(HTTP_AUTHORIZATION="Bearer wrong").get("/metrics").status_code == 404
    agent = Client()
    agent.force_login(org.agent_a)
    assert agent.get("/metrics").status_code == 403
    staff_user = user_create(
        username="ops_admin", password=None, role=Role.ADMINISTRATOR, org_unit=org.hq, display_name="运维"
    )
    assert staff_user.is_staff
    staff = Client()
    staff.force_login(staff_user)
    assert staff.get("/metrics").status_code == 200
    response = Client(HTTP_AUTHORIZATION="Bearer s3cret-metrics-token").get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


@override_settings(METRICS_TOKEN="")
def test_no_token_configured_means_no_token_is_accepted(org):
    assert Client(HTTP_AUTHORIZATION="Bearer ").get("/metrics").status_code == 404


@override_settings(METRICS_TOKEN="tok-12345678")
def test_exports_intakes_latency_queue_timers_notifications_and_escalations(org):
    intake(org.agent_a)
    intake(org.agent_a, channel="walk_in")
    page = Client()
    page.force_login(org.agent_a)
    assert page.get("/").status_code == 200
    text = Client(HTTP_AUTHORIZATION="Bearer tok-12345678").get("/metrics").content.decode()
    assert 'complaintdesk_intakes_total{channel="phone"} 1.0' in text
    assert 'complaintdesk_intakes_total{channel="walk_in"} 1.0' in text
    assert 'complaintdesk_http_request_duration_seconds_count{method="GET",view="web:home"}' in text
    assert "complaintdesk_task_queue_depth 0.0" in text
    assert "complaintdesk_sla_timer_lag_seconds 0.0" in text
    for family in (
        "complaintdesk_notifications_failed gauge",
        "complaintdesk_notifications_gave_up_total counter",
        "complaintdesk_escalations_total counter",
        "complaintdesk_worker_last_job_age_seconds gauge",
    ):
        assert f"# TYPE {family}" in text
