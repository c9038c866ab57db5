"""The agent workbench in Chromium: sign in, take a phone complaint with the fast form (restating it
to the customer with the script), use a reply script with its placeholders filled, get the reply
checker's finding for "但是我们做不到", fix the draft and send it. Screenshots of the queue, the case
page and the fast form at 1366×768 and 390×844 (set BROWSER_SCREENSHOTS_DIR=docs/screenshots).

Not here yet: proposing two options, the authority limit and the manager's approval, dispatch to
billing (the solutions and dispatch panels), feeding back and closing with a summary (a later feature).
"""

import datetime as dt
import json
import uuid

import pytest

from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.services import (
    IntakeCustomer,
    IntakeData,
    complaint_create,
    complaint_transition,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "s3cret-pass-123"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
GOOD_REPLY = (
    "王女士，宽带断网给您添了这么多麻烦，我非常抱歉。我是客服专员李敏，工号10086，分机8021。"
    "我已经安排维修人员上门检查线路，我会在明天18:00前给您回电，告诉您修复结果和月租减免的办理情况。"
)


@pytest.fixture
def outbox(settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"wb-{uuid.uuid4().hex}",
        }
    }
    settings.NOTIFY_SMS_BACKEND = "complaintdesk.notifications.sms.backends.file.FileSmsBackend"
    settings.NOTIFY_SMS_OUTBOX = tmp_path / "outbox" / "sms.jsonl"

    def lines() -> list[dict]:
        path = settings.NOTIFY_SMS_OUTBOX
        return (
            [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            if path.exists()
            else []
        )

    return lines


@pytest.fixture
def agent(org):
    user = org.agent_a
    user.set_password(PASSWORD)
    user.display_name, user.employee_no, user.extension = "李敏", "10086", "8021"
    user.save()
    # A queue that looks like a working day: some cases comfortably in time, one at risk, one late.
    for i, (title, phone) in enumerate(
        [
            ("快递显示签收但没收到", "13900139001"),
            ("话费多扣了30元", "13900139002"),
            ("营业员态度差", "13900139003"),
            ("宽带装机一再改期", "13900139004"),
        ]
    ):
        case = complaint_create(
            data=IntakeData(
                channel="phone",
                title=title,
                description=title + "，客户来电反映。",
                customer=IntakeCustomer(name="张先生", phone=phone),
            ),
            actor=user,
        )
        complaint_transition(number=case.number, actor=user, to="accepted")
        if i == 1:
            Complaint.objects.filter(pk=case.pk).update(due_at=now() + dt.timedelta(minutes=50))
        if i == 2:
            Complaint.objects.filter(pk=case.pk).update(due_at=now() - dt.timedelta(hours=2))
    return user


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_phone_intake_script_and_reply_checker(agent, new_page, outbox, sign_in, screenshot):
    page = new_page(**DESKTOP)
    sign_in(page, agent.username, PASSWORD)
    assert "客服专员" in page.locator("[data-testid=who]").inner_text()
    assert "徐汇门店" in page.locator("[data-testid=who]").inner_text()
    assert page.locator("table.queue tbody tr").count() == 4
    assert page.locator(".sla-breached").count() == 1
    screenshot(page, "workbench-queue-1366x768")

    # "n" opens the fast form; the caller is looked up while the number is typed (masked for an agent).
    page.keyboard.press("n")
    page.wait_for_url("**/intake/phone/")
    page.type("input[name=phone]", "139001390")
    page.wait_for_selector("[data-testid=lookup]")
    lookup = page.locator("[data-testid=lookup]").inner_text()
    assert "139****9002" in lookup and "13900139002" not in lookup
    page.fill("input[name=phone]", "13812345678")  # a new caller
    page.fill("input[name=name]", "王女士")
    page.fill("input[name=title]", "宽带连续三天断网")
    page.fill("textarea[name=description]", "周五晚上开始断网，重启光猫也没用，孩子上不了网课。")
    page.fill("input[name=product]", "家庭宽带")
    page.fill("textarea[name=demand]", "尽快修好并减免本月月租")
    # Restating (复述确认): the script comes filled with what was written down.
    page.click("[data-testid=restate]")
    restate = page.locator("[data-testid=restate-script]").first
    restate.wait_for()
    assert "宽带连续三天断网" in restate.inner_text() and "尽快修好并减免本月月租" in restate.inner_text()
    assert "{" not in restate.inner_text()
    page.check("input[name=restated]")
    screenshot(page, "workbench-fast-form-1366x768")
    # One keystroke saves.
    page.focus("textarea[name=demand]")
    page.keyboard.press("Control+Enter")
    page.wait_for_url("**/complaints/TS*/")
    case = Complaint.objects.get(title="宽带连续三天断网")
    assert case.channel == "phone" and case.recorded_by_id == agent.pk
    assert case.number in page.locator("[data-testid=case-head]").inner_text()

    # A reply script for the apology, placeholders filled from the case and the agent.
    page.select_option("select[name=stage]", "apology")
    page.wait_for_selector("[data-testid=script] >> text=王女士")
    page.locator("[data-testid=script]").first.locator("[data-use-script]").click()
    draft = page.locator("textarea[name=text][data-reply]")
    assert draft.input_value().startswith("王女士")
    assert "{" not in draft.input_value()

    # The checker flags a flat refusal and the "but"…
    draft.fill(draft.input_value() + "但是我们做不到。")
    page.click("[data-testid=check]")
    page.wait_for_selector("[data-testid=findings]")
    findings = page.locator("[data-testid=findings]")
    assert "我们做不到" in findings.inner_text()
    assert findings.locator("[data-code=refusal-zh]").count() == 1
    screenshot(page, "workbench-case-1366x768")
    # … and sending it is refused (only the acknowledgement of the new case went out).
    sent_before = len(outbox())
    page.click("#reply button[type=submit]")
    page.wait_for_selector("[data-testid=findings]")
    assert len(outbox()) == sent_before

    # Fixed: what we can do, who I am, by when.
    page.locator("textarea[name=text][data-reply]").fill(GOOD_REPLY)
    page.click("[data-testid=check]")
    page.wait_for_selector("[data-testid=findings-ok]")
    page.focus("textarea[name=text][data-reply]")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".messages")
    assert "回复已发送给客户" in page.locator(".messages").inner_text()
    [sms] = [line for line in outbox() if "宽带断网给您添了" in json.dumps(line, ensure_ascii=False)]
    assert sms
    assert case.events.filter(kind=EventKind.NOTIFIED).exists() or case.notifications.exists()


def test_workbench_on_a_phone_sized_screen(agent, new_page, outbox, sign_in, screenshot):
    page = new_page(**PHONE)
    sign_in(page, agent.username, PASSWORD)
    assert _fits_the_screen(page)
    screenshot(page, "workbench-queue-390x844")
    number = page.locator("table.queue tbody a").first.inner_text()
    page.click(f"text={number}")
    page.wait_for_selector("[data-testid=process]")
    page.wait_for_selector("[data-testid=script]")  # the scripts of the current step, loaded by htmx
    assert _fits_the_screen(page)
    screenshot(page, "workbench-case-390x844")
    page.goto("/intake/phone/")
    assert _fits_the_screen(page)
    screenshot(page, "workbench-fast-form-390x844")
