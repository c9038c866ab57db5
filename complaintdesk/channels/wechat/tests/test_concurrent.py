"""WeChat's retries arriving at the same time (a slow first answer): one complaint, identical replies."""

import pytest
from django.test import Client

from complaintdesk.channels.models import ReceivedMessage
from complaintdesk.common.testing import run_together
from complaintdesk.complaints.models import Complaint

from .wechat_server import WeChatServer, reply_fields, text_xml

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


def _deliver_concurrently(make_server, xml: str, times: int = 3) -> list:
    """Each thread makes its server, then all post at once: [(server, response)]."""
    responses, errors = run_together(
        lambda server: (server, server.post(xml)), times, prepare=make_server, timeout=60
    )
    assert errors == []
    assert len(responses) == times
    return responses


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_three_concurrent_deliveries_of_one_msgid_open_one_case(wechat):
    xml = text_xml(openid=OPENID, content="信用卡被重复扣年费 300 元，要求退还", msg_id="26031001")
    responses = _deliver_concurrently(lambda: WeChatServer(Client()), xml)
    assert [response.status_code for _server, response in responses] == [200, 200, 200]
    assert len({response.content for _server, response in responses}) == 1
    assert Complaint.objects.count() == 1
    assert ReceivedMessage.objects.count() == 1
    assert Complaint.objects.get().number in reply_fields(responses[0][1].content.decode())["Content"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_three_concurrent_encrypted_deliveries_open_one_case(wechat_safe):
    xml = text_xml(openid=OPENID, content="信用卡被重复扣年费 300 元，要求退还", msg_id="26031002")
    responses = _deliver_concurrently(lambda: WeChatServer(Client(), encrypted=True), xml)
    replies = {server.reply_xml(response) for server, response in responses}
    assert len(replies) == 1
    assert Complaint.objects.count() == 1
