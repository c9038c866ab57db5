"""The inspectors' pages and API endpoints, through Django's test client."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaintdesk.complaints.models import EventKind
from complaintdesk.complaints.timeline import event_record
from complaintdesk.quality.models import InspectionStatus, QaInspection, QaSample, SamplingPolicy
from complaintdesk.quality.rubric import DEFAULT_WEIGHTS
from complaintdesk.quality.services import quality_inspection_score, quality_sample_draw
from complaintdesk.scripts.models import ReplyCheckOverride
from tests.raw_codes import raw_codes_in, visible_text

from .conftest import closed_in_november, local

NOV_1, NOV_30 = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
ALL_FIVE = dict.fromkeys(DEFAULT_WEIGHTS, 5)


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def drawn(people, make_case):
    SamplingPolicy.objects.create(share_percent=5, minimum_per_agent=3, calibration_percent=Decimal("1"))
    closed_in_november(make_case, people.agent_a, 3)
    closed_in_november(make_case, people.agent_b, 2)
    quality_sample_draw(period_start=NOV_1, period_end=NOV_30, seed="web")
    return people


def test_queue_page(drawn):
    page = client_for(drawn.inspector).get(reverse("web:quality_queue"))
    assert page.status_code == 200
    body = page.content.decode()
    for sample in QaSample.objects.select_related("complaint"):
        assert sample.complaint.number in body
        assert reverse("web:quality_sample", args=[sample.pk]) in body
    assert client_for(drawn.agent_a).get(reverse("web:quality_queue")).status_code == 403
    assert Client().get(reverse("web:quality_queue")).status_code == 302  # to the login page


def test_queue_page_queries_do_not_grow_with_the_queue(drawn, make_case):
    client = client_for(drawn.inspector)
    client.get(reverse("web:quality_queue"))  # warm caches (session, permissions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("web:quality_queue")).status_code == 200
    closed_in_november(make_case, drawn.agent_a, 100, day=20)
    quality_sample_draw(period_start=NOV_1, period_end=NOV_30)  # top-up: 3 more, plus new agents' none
    make_case(drawn.manager, local(2026, 11, 3))
    quality_sample_draw(period_start=NOV_1, period_end=NOV_30)
    assert QaSample.objects.count() >= 9
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("web:quality_queue")).status_code == 200
        assert client.get(reverse("web:quality_queue") + "?view=done").status_code == 200
    assert len(few) <= 12
    assert len(many) <= 2 * len(few)


def test_sample_page_shows_the_case_read_only_and_escapes_text(drawn, make_case):
    case = make_case(drawn.agent_b, local(2026, 12, 2, 10), title="<script>alert(1)</script>")
    event_record(
        complaint=case,
        actor=drawn.agent_b,
        kind=EventKind.NOTE,
        at=local(2026, 12, 1, 10),
        new="<b>已致电客户</b>",
    )
    quality_sample_draw(period_start=dt.date(2026, 12, 1), period_end=dt.date(2026, 12, 31), seed="esc")
    sample = QaSample.objects.get(complaint=case)
    client = client_for(drawn.inspector)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("web:quality_sample", args=[sample.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert case.number in body and reverse("web:complaint", args=[case.number]) in body
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert "&lt;b&gt;已致电客户&lt;/b&gt;" in body
    assert 'name="listening"' in body and "csrfmiddlewaretoken" in body
    assert len(queries) <= 25
    # Not an inspector, or outside a supervisor's units: the sample does not exist.
    assert client_for(drawn.agent_b).get(reverse("web:quality_sample", args=[sample.pk])).status_code == 403
    a_sample = QaSample.objects.filter(agent=drawn.agent_a).first()
    assert (
        client_for(drawn.supervisor_b).get(reverse("web:quality_sample", args=[a_sample.pk])).status_code
        == 404
    )
    assert client.get(reverse("web:quality_sample", args=[999999])).status_code == 404


def test_sample_page_timeline_is_in_words_like_the_case_page(drawn, make_case):
    """The inspector reads the case's history as the agent did: labels and statuses in words, never the
    field names, deadline names or status values stored in the events (issue 13 point 8)."""
    case = make_case(drawn.agent_b, local(2026, 12, 2, 10))
    at = local(2026, 12, 1, 11)
    event_record(
        complaint=case, actor=drawn.agent_b, kind=EventKind.TRANSITION, at=at, old="new", new="accepted"
    )
    event_record(
        complaint=case, actor=drawn.agent_b, kind=EventKind.FIELD_CHANGED, at=at, field="root_cause",
        old="", new="计费系统重复计费",
    )  # fmt: skip
    event_record(
        complaint=case, actor=None, kind=EventKind.DEADLINES, at=at, field="first_response_due_at",
        old="", new="2026-12-02T10:00:00+00:00",
    )  # fmt: skip
    quality_sample_draw(period_start=dt.date(2026, 12, 1), period_end=dt.date(2026, 12, 31), seed="words")
    sample = QaSample.objects.get(complaint=case)
    body = client_for(drawn.inspector).get(reverse("web:quality_sample", args=[sample.pk])).content.decode()
    text = visible_text(body)
    assert "待受理 → 已受理" in text and "根本原因" in text and "首次响应时限" in text
    assert raw_codes_in(text) == []


def test_sample_page_names_the_reply_warnings_ignored_not_their_codes(drawn, make_case):
    case = make_case(drawn.agent_b, local(2026, 12, 2, 10))
    ReplyCheckOverride.objects.create(
        complaint=case, actor=drawn.agent_b, at=local(2026, 12, 1, 11), language="zh-hans", draft_hash="0" * 64,
        draft_text="但是我们会尽快处理", finding_codes=["but-zh", "gone-rule"], reason="客户要求直说",
    )  # fmt: skip
    quality_sample_draw(period_start=dt.date(2026, 12, 1), period_end=dt.date(2026, 12, 31), seed="names")
    sample = QaSample.objects.get(complaint=case)
    body = client_for(drawn.inspector).get(reverse("web:quality_sample", args=[sample.pk])).content.decode()
    assert "忽略的警告：避免转折词（但是/然而）、其他规则" in visible_text(body)
    assert "but-zh" not in body and "gone-rule" not in body


def test_scoring_form(drawn):
    sample = (
        QaSample.objects.filter(agent=drawn.agent_b, is_calibration=False).first()
        or QaSample.objects.filter(is_calibration=False).first()
    )
    url = reverse("web:quality_sample", args=[sample.pk])
    client = client_for(drawn.inspector)

    bad = client.post(url, {**ALL_FIVE, "accuracy": "9", "apology": ""})
    assert bad.status_code == 302 and bad["Location"] == url  # Post/Redirect/Get
    body = client.get(url).content.decode()
    assert "请填写 0–5 的整数" in body and "请为此项评分" in body
    assert 'value="5" checked' in body  # what was entered stays
    assert not QaInspection.objects.filter(status=InspectionStatus.DONE).exists()

    low = client.post(url, dict.fromkeys(DEFAULT_WEIGHTS, 1), follow=True)
    assert "总分低于 60 分时须填写评语" in low.content.decode()

    done = client.post(url, {**ALL_FIVE, "solution": "3", "comment": "方案只给了一种"})
    assert done.status_code == 302 and done["Location"] == reverse("web:quality_queue")
    inspection = QaInspection.objects.get(sample=sample)
    assert inspection.total == Decimal("90.00") and inspection.inspector == drawn.inspector

    shown = client.get(url).content.decode()
    assert "90.00" in shown and 'data-testid="score-submit"' not in shown
    again = client_for(drawn.inspector2).post(url, ALL_FIVE, follow=True)
    assert "这个样本已由其他质检员评分" in again.content.decode()


def test_csrf_is_enforced(drawn):
    sample = QaSample.objects.first()
    client = client_for(drawn.inspector, enforce_csrf_checks=True)
    assert client.post(reverse("web:quality_sample", args=[sample.pk]), ALL_FIVE).status_code == 403
    assert not QaInspection.objects.filter(status=InspectionStatus.DONE).exists()


def test_calibration_page(drawn):
    calibrated = QaSample.objects.get(is_calibration=True)
    quality_inspection_score(sample_id=calibrated.pk, actor=drawn.inspector, scores=ALL_FIVE)
    quality_inspection_score(
        sample_id=calibrated.pk, actor=drawn.inspector2, scores={**ALL_FIVE, "apology": 2}
    )
    client = client_for(drawn.inspector)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("web:quality_calibration"))
    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-testid="pair-{calibrated.pk}"' in body and calibrated.complaint.number in body
    assert ">-3<" in body  # apology: 2 − 5
    assert len(queries) <= 12
    period = calibrated.period
    assert client.get(reverse("web:quality_calibration") + f"?period={period.pk}").status_code == 200
    assert client_for(drawn.manager).get(reverse("web:quality_calibration")).status_code == 403


# --- API -----------------------------------------------------------------------------------------------


def test_api_queue_score_and_scores(drawn, api_for):
    qa = api_for(drawn.inspector)
    listed = qa.get("/quality/samples")
    assert listed.status_code == 200 and listed.json()["count"] == 5
    sample_id = listed.json()["items"][0]["id"]

    refused = qa.post(f"/quality/samples/{sample_id}/score", {"scores": {**ALL_FIVE, "accuracy": 7}})
    assert refused.status_code == 422 and "accuracy" in refused.json()["errors"]
    scored = qa.post(f"/quality/samples/{sample_id}/score", {"scores": ALL_FIVE, "comment": ""})
    assert scored.status_code == 200
    done = [i for i in scored.json()["inspections"] if i["status"] == "done"]
    assert done[0]["total"] == 100.0 and done[0]["inspector"] == "qa"

    agent = QaSample.objects.get(pk=sample_id).agent
    result = qa.get("/quality/scores?start=2026-11-01&end=2026-11-30")
    assert result.status_code == 200
    [row] = result.json()["items"]
    assert row["agent_id"] == agent.pk and row["criteria"]["listening"] == {"average": 5.0, "count": 1}
    assert api_for(drawn.agent_a).get("/quality/samples").status_code == 403
    assert api_for(drawn.agent_b).get(f"/quality/samples/{sample_id}").status_code == 404
    calibration = qa.get("/quality/calibration")
    assert calibration.status_code == 200 and calibration.json()["count"] == 0
    assert json.loads(qa.get("/quality/scores?start=2026-11-30&end=2026-11-01").content)["errors"][
        "period_end"
    ]


def test_api_scores_scope(drawn, api_for):
    # A manager of the SH branch sees the scores of its agents; a unit outside their scope does not exist.
    manager = api_for(drawn.manager)
    assert manager.get("/quality/scores?start=2026-11-01&end=2026-11-30").status_code == 200
    assert manager.get("/quality/scores?start=2026-11-01&end=2026-11-30&unit=SH-B").status_code == 200
    assert manager.get("/quality/scores?start=2026-11-01&end=2026-11-30&unit=BILL").status_code == 404
    assert api_for(drawn.agent_a).get("/quality/scores?start=2026-11-01&end=2026-11-30").status_code == 403
    assert api_for(drawn.inspector).get("/quality/calibration?period=999999").status_code == 404
