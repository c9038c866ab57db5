"""Every input a person can reach on the phone intake form and the queue's filters (the status filter
included) has a label that a screen reader announces (issue 13 point 10)."""

import pytest

from .conftest import DESKTOP, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNLABELLED = """() => [...document.querySelectorAll('main input, main select, main textarea')]
  .filter(el => el.type !== 'hidden')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML.slice(0, 120))"""


@pytest.mark.parametrize("path", ["/intake/phone/", "/queues/team/"])
def test_every_input_has_a_label(org, billing_case, new_page, sign_in, screenshot, path):
    org.agent_a.set_password(PASSWORD)
    org.agent_a.save()
    page = new_page(**DESKTOP)
    sign_in(page, "agent_a", PASSWORD)
    page.goto(path)
    for details in page.locator("main details").all():
        details.evaluate("el => el.open = true")

    assert page.evaluate(UNLABELLED) == []
    screenshot(page, "labels" + path.replace("/", "-").rstrip("-"))
