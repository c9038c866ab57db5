"""A panel action that moves the case tells the page so: sending the result in place (HTMX) answers with a
"case-updated" event, and the case page's head (status, clocks) and its process card (next steps) fetch
themselves again on it. A walk-through found the head still saying 已升级 after the result had moved the
case to 待客户确认, with the old transition buttons beside it."""

import re

import pytest
from django.test import Client

from complaintdesk.testing import CLEAN_RESULT, handling_case

pytestmark = pytest.mark.django_db


def _tag(html: str, marker: str) -> str:
    return re.search(r"<section[^>]*" + re.escape(marker) + r"[^>]*>", html).group(0)


def test_sending_the_result_in_place_refreshes_the_cases_head_and_next_steps(org):
    complaint = handling_case(org.agent_a)
    client = Client()
    client.force_login(org.agent_a)
    page = client.get(f"/complaints/{complaint.number}/").content.decode()
    for marker in ('data-testid="case-head"', 'data-testid="process"'):
        tag = _tag(page, marker)
        assert 'hx-trigger="case-updated from:body"' in tag
        assert f'hx-get="/complaints/{complaint.number}/"' in tag

    sent = client.post(
        f"/complaints/{complaint.number}/feedback/result", {**CLEAN_RESULT}, HTTP_HX_REQUEST="true"
    )
    assert sent.status_code == 200 and sent["HX-Trigger"] == "case-updated"
    # What the event fetches: the page, whose head now gives the new status.
    page = client.get(f"/complaints/{complaint.number}/").content.decode()
    assert re.search(r'data-testid="status">待客户确认<', page)


def test_a_refused_result_does_not_refresh_the_page(org):
    complaint = handling_case(org.agent_a)
    client = Client()
    client.force_login(org.agent_a)
    refused = client.post(
        f"/complaints/{complaint.number}/feedback/result",
        {**CLEAN_RESULT, "cause": ""},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 422 and "HX-Trigger" not in refused


def test_the_case_page_shows_no_template_comment(org):
    complaint = handling_case(org.agent_a)
    client = Client()
    client.force_login(org.agent_a)
    page = client.get(f"/complaints/{complaint.number}/").content.decode()
    assert "{#" not in page and "#}" not in page
