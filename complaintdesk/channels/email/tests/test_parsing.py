"""Reading real mails: charsets, transfer encodings, HTML-only, attachments, replies, robots. No database."""

import base64
from email.message import EmailMessage

import pytest

from complaintdesk.channels.email import EmailChannelAdapter
from complaintdesk.channels.email.adapter import case_number_in
from complaintdesk.channels.email.detect import automatic_reason
from complaintdesk.channels.email.mime import decode_bytes, html_to_text, reply_text_trim
from complaintdesk.common.errors import InvalidInput

from .conftest import sample


def read(name: str):
    return EmailChannelAdapter().read(sample(name))


def test_foxmail_gbk_base64_becomes_the_complaint_in_chinese():
    mail = read("foxmail_gbk_base64.eml")
    data = mail.message.data
    assert data.channel == "email" and data.language == "zh-hans"
    assert data.customer.name == "张伟" and data.customer.email == "zhangwei1988@qq.com"
    assert data.customer.preferred_channel == "email"
    assert data.title == "宽带装机师傅迟到三小时还乱收费"
    assert "另外收100元调试费" in data.description and "021-88886666" in data.description
    assert "<div>" not in data.description  # the text part is taken, not the HTML alternative
    assert mail.message.external_id == "<202611231012333408125@qq.com>"
    assert mail.message.case_number == "" and mail.automatic == "" and mail.notes == []


def test_outlook_utf8_quoted_printable():
    data = read("outlook_utf8_qp.eml").message.data
    assert data.customer.name == "李娜" and data.title == "新买的空气净化器两天就坏了，要求换新"
    assert "需要等15个工作日" in data.description and "SO2026112000187" in data.description
    assert "=E5" not in data.description and "MsoNormal" not in data.description


def test_html_only_mail_is_made_text_without_scripts_and_in_english():
    mail = read("apple_mail_html_only.eml")
    data = mail.message.data
    assert data.language == "en" and data.customer.name == "John Smith"
    assert "I was charged twice for my November bill (£42.50 each time" in data.description
    # Script and style bodies and tags are gone; markup the customer wrote as text stays text.
    assert "document.cookie" not in data.description and "color: red" not in data.description
    assert "<img" not in data.description and "onerror" not in data.description
    assert "<script>alert('x')</script>" in data.description
    assert "HTML-only mail: converted to text" in mail.notes


def test_markup_typed_in_a_text_mail_is_kept_as_text_and_the_signature_dropped():
    data = read("thunderbird_text_with_markup.eml").message.data
    assert data.title == "网站显示 <script>alert(1)</script>"
    assert (
        "<script>alert('x')</script>" in data.description
        and "<img src=x onerror=alert(2)>" in data.description
    )
    assert "021-12345678" not in data.description  # below the "-- " signature line


def test_attachments_with_encoded_chinese_names():
    files = read("attachments_jpeg_pdf.eml").message.files
    assert [(f.name, f.declared_type) for f in files] == [
        ("门口照片.jpg", "image/jpeg"),
        ("购物发票.pdf", "application/pdf"),
    ]
    assert files[0].content.startswith(b"\xff\xd8\xff") and files[1].content.startswith(b"%PDF-")


def test_a_fake_pdf_is_handed_on_as_sent_for_intake_to_judge_by_content():
    files = read("fake_pdf_executable.eml").message.files
    assert files[0].name == "invoice.pdf" and files[0].declared_type == "application/pdf"
    assert files[0].content.startswith(b"MZ")


def test_unknown_charset_is_read_with_a_fallback_and_said_so():
    mail = read("unknown_charset.eml")
    data = mail.message.data
    assert data.title == "营业厅不给销户"  # encoded word in "x-unknown", bytes UTF-8
    assert data.description.startswith("营业厅的工作人员态度很差")  # body labelled x-unknown, bytes GBK
    assert data.customer.name == "sunli"  # no display name: the address's local part
    assert any("x-unknown" in note for note in mail.notes)


def test_a_mail_without_any_text_part_gets_a_fallback_description():
    mail = read("no_text_part.eml")
    assert mail.message.data.title == "门店地面湿滑摔倒"
    assert mail.message.data.description == "（邮件没有文字内容，请见附件）"
    assert [f.name for f in mail.message.files] == ["IMG_2041.jpeg"]
    assert "no text part" in mail.notes


def test_reply_names_the_case_and_loses_the_quoted_acknowledgement():
    mail = read("qq_reply_with_case_number.eml")
    assert mail.message.case_number == "TS20261123000001" and mail.reply_subject
    assert (
        mail.message.data.description
        == "补充一下：师傅当时开的是公司的车，车牌号沪A·12345，收费的时候没有给收据。"
    )
    assert mail.references[0] == "<notification-1.1795927205.1234@complaintdesk.example>"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("outlook_auto_reply.eml", "auto-reply (Auto-Submitted: auto-generated)"),
        ("mailer_daemon_bounce.eml", "delivery report (multipart/report; report-type=delivery-status)"),
    ],
)
def test_robots_are_recognised(name, expected):
    assert read(name).automatic == expected


def _mail(subject="宽带断网", sender="王丽 <wangli@example.com>", **headers) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "kefu@complaintdesk.example", subject
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("家里宽带断网三天了。")
    return message


@pytest.mark.parametrize(
    ("message", "caught_by"),
    [
        (_mail(X_Autoreply="yes"), "X-Autoreply"),
        (_mail(Precedence="bulk"), "Precedence: bulk"),
        (_mail(Precedence="auto_reply"), "Precedence: auto_reply"),
        (_mail(sender="postmaster@mx.example.com"), "bounce"),
        (_mail(sender="Mail Delivery Subsystem <mailer@googlemail.com>"), "bounce"),
        (_mail(X_Failed_Recipients="nobody@example.com"), "X-Failed-Recipients"),
        (_mail(subject="自动回复：我正在休假"), "subject"),
        (_mail(subject="Out of Office: back on Monday"), "subject"),
        (_mail(subject="Automatic reply: 您的投诉已受理"), "subject"),
        (_mail(Return_Path="<>"), "empty Return-Path"),
        (_mail(sender="kefu@complaintdesk.example"), "our own address"),
    ],
)
def test_each_robot_rule(message, caught_by, settings):
    settings.NOTIFY_EMAIL_FROM = "客服中心 <kefu@complaintdesk.example>"
    assert caught_by in automatic_reason(message, own_addresses=frozenset({"kefu@complaintdesk.example"}))


def test_a_person_is_not_a_robot():
    assert automatic_reason(_mail(Auto_Submitted="no", Precedence="normal")) == ""
    assert automatic_reason(_mail(subject="回复：自动扣费不对")) == ""


def test_case_numbers_in_subjects():
    assert case_number_in("Re: [TS20261123000001] 您的投诉已受理") == "TS20261123000001"
    assert case_number_in("回复：您的投诉已受理（单号 TS20261123000042）") == "TS20261123000042"
    # The tag wins over a number mentioned in passing; longer digit runs are not case numbers.
    assert case_number_in("TS20261120000007 的后续 【TS20261123000002】") == "TS20261123000002"
    assert case_number_in("订单 XTS20261123000001 / TS202611230000011") == ""


def test_decoding_fallbacks():
    assert decode_bytes("投诉".encode("gbk"), "gb2312") == ("投诉", True)
    assert decode_bytes("𠮷野家".encode("gb18030"), "GBK") == ("𠮷野家", True)  # GBK label, GB18030 bytes
    assert decode_bytes("投诉".encode("gbk"), "utf-8") == ("投诉", False)  # mislabelled: read anyway
    text, exact = decode_bytes(b"\xff\xfe\xfd\x80", "x-unknown")
    assert not exact and "\ufffd" in text


def test_html_to_text_keeps_structure_and_drops_active_content():
    markup = (
        "<div>第一行<br>第二行</div><script>alert(1)</script><style>p{}</style>"
        "<!-- 注释 --><ul><li>甲</li><li>乙</li></ul><p>a&nbsp;&amp;&lt;b&gt;</p>"
    )
    assert html_to_text(markup) == "第一行\n第二行\n\n- 甲\n\n- 乙\n\na &<b>"


def test_reply_trimming_keeps_everything_when_only_quotes_were_sent():
    assert reply_text_trim("> 只有引用\n> 没有新内容") == "> 只有引用\n> 没有新内容"
    outlook = "已经修好了，谢谢。\n\n发件人: 客服中心 <kefu@complaintdesk.example>\n发送时间: 2026年11月23日 10:13\n收件人: 我"
    assert reply_text_trim(outlook) == "已经修好了，谢谢。"
    gmail = "Still broken.\n\nOn Mon, 23 Nov 2026 at 10:13, ComplaintDesk <kefu@complaintdesk.example> wrote:\n> Hello"
    assert reply_text_trim(gmail) == "Still broken."
    assert reply_text_trim("还是不行\n\n发自我的iPhone") == "还是不行"


def test_a_mail_without_sender_cannot_be_parsed_into_a_complaint():
    message = _mail()
    del message["From"]
    with pytest.raises(InvalidInput) as caught:
        EmailChannelAdapter().parse(message.as_bytes())
    assert "from" in caught.value.fields


@pytest.mark.parametrize("charset", ["utf-8", "gbk"])
def test_unencoded_8bit_headers_are_read(charset):
    """Some clients and gateways send Chinese headers as raw bytes, without encoded words."""
    raw = (
        "From: 王五 <wangwu@example.com>\r\nSubject: 宽带断网了\r\nMessage-ID: <raw8bit@example.com>\r\n"
        "Content-Type: text/plain\r\n\r\n家里宽带断网。"
    ).encode(charset)
    mail = EmailChannelAdapter().read(raw)
    assert (mail.sender_name, mail.sender, mail.subject) == ("王五", "wangwu@example.com", "宽带断网了")
    assert mail.message.data.description == "家里宽带断网。"


def test_a_display_name_that_decodes_to_an_address_does_not_change_the_sender():
    raw = (
        b"From: =?utf-8?B?" + base64.b64encode("假冒 <boss@complaintdesk.example>,".encode())
        + b"?= <real@example.com>\r\nSubject: x\r\n\r\nbody"
    )  # fmt: skip
    mail = EmailChannelAdapter().read(raw)
    assert mail.sender == "real@example.com" and mail.sender_name == "假冒 <boss@complaintdesk.example>,"
