"""The customer opens the survey link taken from the SMS outbox on a phone-sized page (390×844) and rates:
the link is absolute (it opens outside the desk), the page fits the phone, the answer resolves the case.
Screenshots under BROWSER_SCREENSHOTS_DIR (docs/screenshots)."""

import json
import re
import uuid

import pytest

from complaintdesk.complaints.models import Complaint
from complaintdesk.surveys.models import SurveyAnswer
from complaintdesk.surveys.results import result_send

from .conftest import CAUSE, MEASURES, OUTCOME

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def outbox(settings, tmp_path, live_server):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"survey-{uuid.uuid4().hex}",
        }
    }
    settings.NOTIFY_SMS_BACKEND = "complaintdesk.notifications.sms.backends.file.FileSmsBackend"
    settings.NOTIFY_SMS_OUTBOX = tmp_path / "outbox" / "sms.jsonl"
    settings.NOTIFY_SURVEY_URL = ""
    settings.NOTIFY_TRACK_URL = ""
    settings.PUBLIC_BASE_URL = live_server.url  # the address the customer's phone reaches

    def texts() -> list[str]:
        path = settings.NOTIFY_SMS_OUTBOX
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        return [json.dumps(json.loads(line), ensure_ascii=False) for line in lines]

    return texts


def test_the_customer_rates_from_the_sms_link_on_a_phone(
    org, billing_case, new_page, outbox, live_server, screenshot
):
    result_send(
        number=billing_case.number, actor=org.agent_a, cause=CAUSE, measures=MEASURES, outcome=OUTCOME
    )
    sent = outbox()
    result_sms = next(text for text in sent if "原因：" in text)
    assert "措施：" in result_sms and "结果：" in result_sms  # all four parts' room: cause, measures, result
    survey_sms = next(text for text in sent if "/s/" in text)
    [link] = re.findall(r"https?://[^\s\"，。]+/s/[\w-]+", survey_sms)
    assert link.startswith(live_server.url + "/s/")  # absolute: opens from the phone's SMS app

    page = new_page(**PHONE)
    page.goto(link)
    page.locator("[data-testid=survey-form]").wait_for()
    assert billing_case.number in page.inner_text("body")
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "survey-from-sms-390x844")
    page.screenshot(path="/tmp/cd_survey_form.png", full_page=True)

    page.locator("[data-testid=stars-5]").click()
    page.locator("[data-testid=solved-yes]").click()
    page.locator("[data-testid=submit]").click()
    page.locator("[data-testid=thanks]").wait_for()
    screenshot(page, "survey-thanks-390x844")
    page.screenshot(path="/tmp/cd_survey_thanks.png", full_page=True)

    answer = SurveyAnswer.objects.get(complaint=billing_case)
    assert (answer.stars, answer.solved, answer.source) == (5, True, "link")
    assert Complaint.objects.get(pk=billing_case.pk).status == "resolved"
    # The link is used once: opening it again says so, in words.
    page.goto(link)
    assert "评价" in page.inner_text("body") and page.locator("[data-testid=survey-form]").count() == 0


def test_an_english_customer_reads_the_star_scale_without_a_word_split_on_a_phone(
    org, billing_case, new_page, outbox, live_server
):
    # At 390 px the legend broke "dissatisfied" into "dissati" / "sfied" (word-break: break-all).
    billing_case.language = "en"  # a case written in English: its messages and survey are English
    billing_case.save(update_fields=["language"])
    result_send(
        number=billing_case.number,
        actor=org.agent_a,
        cause="a billing error",
        measures="we reversed the charge",
        outcome="the 58 yuan is back",
        override_reason="English reply",
    )
    [link] = re.findall(r"https?://[^\s\"]+/s/[\w-]+", next(text for text in outbox() if "/s/" in text))
    page = new_page(**PHONE, locale="en-US")
    page.goto(link)
    legend = page.get_by_text("1 star = very dissatisfied")
    legend.wait_for()
    lines_of_word = page.evaluate(
        """(element) => {
            const node = [...element.childNodes].find((n) => n.nodeType === 3 && n.data.includes("dissatisfied"));
            const range = document.createRange();
            const start = node.data.indexOf("dissatisfied");
            range.setStart(node, start);
            range.setEnd(node, start + "dissatisfied".length);
            return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
        }""",
        legend.element_handle(),
    )
    assert lines_of_word == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
