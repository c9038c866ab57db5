"""An inspector draws a period's quality sample from the queue page (/quality/), through the service the
`manage.py quality_sample` command uses."""

from decimal import Decimal

from django.test import Client

from complaintdesk.quality.models import QaPeriod, QaSample, SamplingPolicy

from .conftest import closed_in_november


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_inspector_draws_a_sample_from_the_web_and_finds_it_in_the_queue(people, make_case):
    SamplingPolicy.objects.create(share_percent=5, minimum_per_agent=2, calibration_percent=Decimal("0"))
    cases = closed_in_november(make_case, people.agent_a, 3) + closed_in_november(
        make_case, people.agent_b, 1
    )
    client = _client(people.inspector)
    assert 'data-testid="quality-draw"' in client.get("/quality/").content.decode()

    response = client.post("/quality/draw", {"period_start": "2026-11-01", "period_end": "2026-11-30"})

    assert response.status_code == 302 and response["Location"] == "/quality/"
    page = client.get("/quality/").content.decode()
    assert "已为 2026-11-01 – 2026-11-30 抽取 3 份样本" in page
    assert QaSample.objects.count() == 3
    assert QaPeriod.objects.get().drawn_by == people.inspector
    for sample in QaSample.objects.select_related("complaint"):
        assert sample.complaint in cases and sample.complaint.number in page

    again = client.post(
        "/quality/draw", {"period_start": "2026-11-01", "period_end": "2026-11-30"}, follow=True
    )
    assert "没有新的样本可抽" in again.content.decode() and QaSample.objects.count() == 3


def test_a_bad_period_is_a_message_next_to_the_form(people):
    client = _client(people.inspector)

    response = client.post(
        "/quality/draw", {"period_start": "2026-11-30", "period_end": "2026-11-01"}, follow=True
    )

    assert response.status_code == 200 and "结束日期不能早于开始日期" in response.content.decode()
    assert 'value="2026-11-30"' in response.content.decode()
    assert not QaPeriod.objects.exists()
    garbled = client.post("/quality/draw", {"period_start": "11/01", "period_end": ""}, follow=True)
    assert "请按“年-月-日”填写日期，例如 2026-12-01" in garbled.content.decode()


def test_an_agent_cannot_draw(people):
    assert _client(people.agent_a).post("/quality/draw", {"period_start": "2026-11-01"}).status_code == 403
    assert not QaPeriod.objects.exists()
