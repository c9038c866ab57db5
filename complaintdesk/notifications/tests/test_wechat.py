"""WeChat template messages through wechatpy, against a fake of the official-account API."""

import pytest

from complaintdesk.notifications.models import Notification, NotificationStatus, NotificationTemplate
from complaintdesk.notifications.services import notification_send

from .fakes import FakeWechat

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore:`_post` method:DeprecationWarning")]

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


@pytest.fixture
def fake_wechat():
    with FakeWechat(appid="wx1234567890abcdef", secret="app-secret", followers={OPENID}) as fake:
        yield fake


@pytest.fixture
def wechat_settings(settings, fake_wechat):
    settings.NOTIFY_WECHAT = {"APP_ID": "wx1234567890abcdef", "APP_SECRET": "app-secret",
                              "API_BASE_URL": fake_wechat.api_base_url, "TIMEOUT": 5}  # fmt: skip
    NotificationTemplate.objects.filter(channel="wechat").update(provider_template_id="TPL-ACK")
    return settings


def test_template_message_with_a_fetched_and_cached_token(
    make_complaint, queue, wechat_settings, fake_wechat, on_commit
):
    complaint = make_complaint(wechat_openid=OPENID, preferred_channel="wechat")
    with on_commit():
        first = notification_send(complaint=complaint, template_code="acknowledgement")
        second = notification_send(
            complaint=complaint, template_code="progress", extra={"progress": "已派单"}
        )

    assert queue.run_all() == ["sent", "sent"]

    assert len(fake_wechat.tokens) == 1  # fetched once, then taken from the cache
    sent = fake_wechat.sent[0]
    assert sent["touser"] == OPENID and sent["template_id"] == "TPL-ACK"
    assert sent["data"]["first"] == {"value": "您的投诉已受理"}
    assert sent["data"]["keyword1"] == {"value": complaint.number}
    # The status line in the customer's words: "已受理" above it, so never the staff's 待受理.
    assert sent["data"]["keyword2"] == {"value": "已登记，等待处理"}
    assert "查询进度" in sent["data"]["remark"]["value"]
    for notification in (first, second):
        notification.refresh_from_db()
        assert notification.status == NotificationStatus.SENT
    assert first.provider_message_id == str(fake_wechat.sent[0]["msgid"])


def test_an_english_customer_reads_the_acknowledgement_card_in_english_words(
    make_complaint, queue, wechat_settings, fake_wechat, on_commit
):
    complaint = make_complaint(wechat_openid=OPENID, preferred_channel="wechat", language="en")
    with on_commit():
        notification_send(complaint=complaint, template_code="acknowledgement")
    assert queue.run_all() == ["sent"]
    data = fake_wechat.sent[0]["data"]
    assert data["first"] == {"value": "We have received your complaint"}
    assert data["keyword2"] == {"value": "Registered, waiting to be handled"}


def test_the_card_opens_the_tracking_page_the_text_names(
    make_complaint, queue, wechat_settings, fake_wechat, on_commit, settings
):
    # WeChat does not make links of an address in a template message's text: the customer taps the card.
    settings.PUBLIC_BASE_URL = "https://cs.example.com"
    complaint = make_complaint(wechat_openid=OPENID, preferred_channel="wechat")
    with on_commit():
        notification_send(complaint=complaint, template_code="acknowledgement")
        notification_send(complaint=complaint, template_code="progress", extra={"progress": "已派单"})
    assert queue.run_all() == ["sent", "sent"]
    acknowledgement, progress = fake_wechat.sent
    address = f"https://cs.example.com/t/{complaint.number}"
    assert acknowledgement["data"]["remark"]["value"].endswith(f"查询进度：{address}")
    assert acknowledgement["url"] == address
    assert "url" not in progress  # nothing to open: the card is not a link


def test_an_invalidated_token_is_fetched_again_within_the_attempt(
    make_complaint, queue, wechat_settings, fake_wechat, on_commit
):
    complaint = make_complaint(wechat_openid=OPENID, preferred_channel="wechat")
    with on_commit():
        notification_send(complaint=complaint, template_code="acknowledgement")
    queue.run_all()
    fake_wechat.tokens.append("issued-elsewhere")  # another server fetched one: ours is no longer the latest

    with on_commit():
        notification = notification_send(
            complaint=complaint, template_code="progress", extra={"progress": "已派单"}
        )
    assert queue.run_all() == ["sent"]
    notification.refresh_from_db()
    assert notification.attempts == 1 and len(fake_wechat.tokens) == 3


def test_a_500_is_retried(make_complaint, queue, wechat_settings, fake_wechat, on_commit):
    fake_wechat.fail_next.append((500, b"Internal Server Error"))
    with on_commit():
        notification = notification_send(
            complaint=make_complaint(wechat_openid=OPENID, preferred_channel="wechat"),
            template_code="acknowledgement",
        )
    assert queue.run_all() == ["retry", "sent"]
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT and notification.attempts == 2


def test_a_customer_who_unfollowed_is_given_up_at_once(
    make_complaint, queue, wechat_settings, fake_wechat, on_commit
):
    with on_commit():
        notification_send(complaint=make_complaint(wechat_openid="oSomeoneElse", preferred_channel="wechat"),
                          template_code="acknowledgement")  # fmt: skip
    assert queue.run_all() == ["gave_up"]
    notification = Notification.objects.get()
    assert "43004" in notification.last_error and notification.status == NotificationStatus.GAVE_UP
