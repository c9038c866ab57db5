"""A refused HTMX form of the case page, in Chromium: the server answers 422 with the panel and the
reasons, and the agent sees them in place, with what they typed kept (htmx leaves a 4xx answer out of
the page by default, so without workbench.js's `htmx:beforeSwap` handler the click would seem to do
nothing). Two refusals in the feedback panel: a result message the reply checker blocks, and a
confirmation sent from a page gone stale (another tab registered it first).

No 409 here: no HTMX form of the workbench answers 409. Conflict is raised only by quality scoring (a plain
form, answered by Post/Redirect/Get) and the API's idempotency keys; a stale or concurrent action on a
case is refused by the services' state checks with 422, as the second test shows."""

import pytest

from complaintdesk.complaints.models import Complaint
from complaintdesk.surveys.models import ResultFeedback
from complaintdesk.surveys.results import result_send

from .conftest import CAUSE, DESKTOP, MEASURES, OUTCOME, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def case(org, billing_case, settings, tmp_path):
    settings.NOTIFY_SMS_OUTBOX = tmp_path / "outbox" / "sms.jsonl"  # the result message goes here
    org.agent_a.set_password(PASSWORD)
    org.agent_a.save()
    return billing_case


def _case_page(page, number):
    page.goto(f"/complaints/{number}/")
    panel = page.locator("[data-testid=feedback-panel]")
    panel.wait_for()
    return panel


def _posted(page, number, path):
    return page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(f"/{number}/{path}"))


def test_a_result_the_checker_blocks_is_shown_in_place_with_its_reasons(case, new_page, sign_in):
    page = new_page(**DESKTOP)
    sign_in(page, "agent_a", PASSWORD)
    feedback = _case_page(page, case.number)
    refusal = "多扣的 58 元我们做不到退还"  # a flat refusal: the checker blocks it
    feedback.locator("[data-testid=result-cause]").fill(CAUSE)
    feedback.locator("[data-testid=result-measures]").fill(MEASURES)
    feedback.locator("[data-testid=result-outcome]").fill(refusal)
    with _posted(page, case.number, "feedback/result") as answer:
        feedback.locator("[data-testid=result-send]").click()
    assert answer.value.status == 422

    # The panel comes back with why, next to the draft as it was typed; the page stayed where it was.
    feedback.locator("[data-testid=findings]").wait_for()
    text = feedback.inner_text()
    assert "回复里有阻止发送的问题（refusal-zh），不能忽略，请先修改草稿。" in text
    assert "不要直接拒绝客户" in feedback.locator("[data-testid=findings]").inner_text()
    assert feedback.locator("[data-testid=result-outcome]").input_value() == refusal
    assert feedback.locator("[data-testid=result-cause]").input_value() == CAUSE
    assert page.url.endswith(f"/complaints/{case.number}/")
    # Nothing went to the customer.
    assert not ResultFeedback.objects.filter(complaint=case).exists()
    assert Complaint.objects.get(pk=case.pk).status == "handling"


def test_a_confirmation_from_a_stale_tab_is_refused_in_place(org, case, new_page, sign_in):
    result_send(number=case.number, actor=org.agent_a, cause=CAUSE, measures=MEASURES, outcome=OUTCOME)
    page = new_page(**DESKTOP)
    sign_in(page, "agent_a", PASSWORD)
    stale = page.context.new_page()  # the same agent, the case page open in a second tab
    stale_feedback = _case_page(stale, case.number)
    feedback = _case_page(page, case.number)

    feedback.locator("[data-testid=confirm-form] input[name=note]").fill("客户来电确认已收到退款")
    feedback.locator("[data-testid=confirm]").click()
    page.locator("[data-testid=result-confirmed]").wait_for()

    # The other tab still offers the confirmation; sending it is refused, and that tab says why.
    stale_feedback.locator("[data-testid=confirm-form] input[name=note]").fill("客户确认")
    with _posted(stale, case.number, "feedback/confirm") as answer:
        stale_feedback.locator("[data-testid=confirm]").click()
    assert answer.value.status == 422
    stale_feedback.locator("[role=alert]", has_text="投诉不在“待客户确认”状态").wait_for()
    # … and shows the case as it is now: confirmed, nothing left to confirm.
    assert stale_feedback.locator("[data-testid=result-confirmed]").count() == 1
    assert stale_feedback.locator("[data-testid=confirm-form]").count() == 0
    assert ResultFeedback.objects.get(complaint=case).confirmed_at is not None
    assert Complaint.objects.get(pk=case.pk).status == "resolved"
