"""E-mail and WeChat contacts are not always complaints (issue 19): 咨询, 建议, 表扬 from a few configurable
keywords in the subject or first message, a complaint when unsure, and the timeline says why."""

import pytest
from wechatpy.parser import parse_message

from complaintdesk.channels.email.services import email_receive
from complaintdesk.channels.intake import intake_receive_once
from complaintdesk.channels.kinds import kind_detect
from complaintdesk.channels.services import channel_actor
from complaintdesk.channels.wechat import WeChatChannelAdapter
from complaintdesk.channels.wechat.tests.wechat_server import text_xml
from complaintdesk.complaints.contacts import complaint_kind_change
from complaintdesk.complaints.models import Complaint, EventKind
from complaintdesk.complaints.states import ContactKind

# --- the rule (pure) -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "text", "kind", "word"),
    [
        ("请问宽带怎么移机", "我下个月搬家", ContactKind.INQUIRY, "请问"),
        ("", "建议App增加账单导出功能", ContactKind.SUGGESTION, "建议"),
        ("表扬徐汇营业厅小李", "办理业务很耐心", ContactKind.PRAISE, "表扬"),
        ("关于上月账单", "想了解一下套餐怎么变更", ContactKind.INQUIRY, "想了解"),
    ],
)
def test_one_kind_of_keyword_decides_the_kind_and_says_which_word(subject, text, kind, word):
    guess = kind_detect(subject=subject, text=text)
    assert (guess.kind, guess.keyword) == (kind, word)
    assert word in guess.note() and str(ContactKind(kind).label) in guess.note()


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        ("宽带断网三天", "请尽快修复"),  # no keyword at all
        ("请问为什么乱扣费", "我要投诉"),  # an inquiry word, but a complaint cue wins
        ("建议你们赔偿我的损失", ""),  # "建议" inside a complaint
        ("请问能否增加导出功能", ""),  # two kinds at once (inquiry and suggestion): unsure
    ],
)
def test_when_unsure_or_a_complaint_cue_is_there_it_stays_a_complaint(subject, text):
    guess = kind_detect(subject=subject, text=text)
    assert guess.kind == ContactKind.COMPLAINT and guess.note() == ""


def test_the_keywords_are_settings_and_detection_can_be_turned_off(settings):
    settings.CONTACT_KIND_KEYWORDS = {"praise": ["好评"]}
    assert kind_detect(subject="给小王一个好评", text="").kind == ContactKind.PRAISE
    assert kind_detect(subject="请问怎么开通", text="").kind == ContactKind.COMPLAINT  # not configured
    settings.CONTACT_KIND_DETECTION = False
    assert kind_detect(subject="给小王一个好评", text="").kind == ContactKind.COMPLAINT


def test_only_the_start_of_a_long_message_is_read():
    assert kind_detect(subject="", text="x" * 600 + "表扬").kind == ContactKind.COMPLAINT


# --- the channels -------------------------------------------------------------------------------------------

MAIL = """From: =?utf-8?b?5byg5Lyf?= <zhangwei@example.com>
To: kefu@example.com
Subject: {subject}
Message-ID: <{mid}@example.com>
Date: Sun, 06 Dec 2026 10:00:00 +0800
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

{body}
"""


def _mail(subject: str, body: str, mid: str) -> bytes:
    from email.header import Header

    return MAIL.format(subject=Header(subject, "utf-8").encode(), body=body, mid=mid).encode()


@pytest.mark.django_db
def test_an_email_asking_a_question_is_an_inquiry_and_the_timeline_says_why(org):
    actor = channel_actor(channel="email")
    outcome = email_receive(raw=_mail("请问宽带怎么移机", "下个月搬家，想移机。", "q1"), actor=actor)
    inquiry = Complaint.objects.get(number=outcome.number)
    assert inquiry.kind == ContactKind.INQUIRY
    created = inquiry.events.get(kind=EventKind.CREATED)
    assert "系统按关键词识别为咨询：主题含“请问”" in created.reason
    assert "inquiry" not in created.reason  # words, never the enum value

    # An agent who disagrees changes it back: a complaint again, kept on the timeline.
    complaint_kind_change(number=inquiry.number, actor=org.executive, to=ContactKind.COMPLAINT)
    inquiry.refresh_from_db()
    assert (
        inquiry.kind == ContactKind.COMPLAINT and inquiry.events.filter(kind=EventKind.KIND_CHANGED).exists()
    )


@pytest.mark.django_db
def test_an_email_complaint_stays_a_complaint_with_nothing_said(org):
    actor = channel_actor(channel="email")
    outcome = email_receive(raw=_mail("投诉：请问为什么多扣费", "上月多扣了 58 元。", "c1"), actor=actor)
    complaint = Complaint.objects.get(number=outcome.number)
    assert complaint.kind == ContactKind.COMPLAINT
    assert "识别" not in complaint.events.get(kind=EventKind.CREATED).reason


@pytest.mark.django_db
def test_a_wechat_message_praising_staff_is_praise(org):
    actor = channel_actor(channel="wechat")
    raw = parse_message(
        text_xml(
            openid="oPraise1",
            content="表扬一下营业厅的小李\n办业务特别耐心",
            msg_id="5501",
            create_time=1_763_900_123,
        )
    )
    result = intake_receive_once(message=WeChatChannelAdapter().parse(raw), actor=actor)
    praise = result.complaint
    assert praise.kind == ContactKind.PRAISE
    assert "主题" not in praise.events.get(kind=EventKind.CREATED).reason
    assert "首条消息含“表扬”" in praise.events.get(kind=EventKind.CREATED).reason
