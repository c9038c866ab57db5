"""A link to a panel of the case page (the follow-up notice opens /complaints/<n>/#feedback) lands on that
panel, on a phone too, though the panel and those above it load after the page."""

import pytest

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_link_to_the_feedback_panel_lands_on_it(org, billing_case, new_page, sign_in):
    org.agent_a.set_password(PASSWORD)
    org.agent_a.save()
    page = new_page(width=390, height=844)
    sign_in(page, "agent_a", PASSWORD)

    page.goto(f"/complaints/{billing_case.number}/#feedback")
    page.locator("[data-testid=feedback-panel]").wait_for()
    page.wait_for_load_state("networkidle")
    top = page.evaluate("document.getElementById('feedback').getBoundingClientRect().top")
    assert 0 <= top < 844 / 2, top  # the panel is at the top of the screen, not far below it
