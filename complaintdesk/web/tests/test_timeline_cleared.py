"""A value the timeline shows as removed says so: a resolved case's next deadline goes "… → （无）", not
"… →" with nothing after the arrow (a walk-through found the bare arrow on the case page)."""

import re

import pytest
from django.test import Client

from complaintdesk.complaints.models import ComplaintEvent
from complaintdesk.testing import handling_case, resolve

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(("language", "cleared"), [("zh-hans", "（无）"), ("en", "(none)")])
def test_a_cleared_deadline_reads_none_after_the_arrow(org, language, cleared):
    complaint = handling_case(org.agent_a)
    resolve(org.agent_a, complaint.number)
    assert ComplaintEvent.objects.filter(complaint=complaint, field="due_at", new_value="").exists()
    client = Client()
    client.force_login(org.agent_a)
    client.cookies["django_language"] = language
    text = _text(client.get(f"/complaints/{complaint.number}/").content.decode())
    assert re.search(r"\d{2}:\d{2} → " + re.escape(cleared), text)
