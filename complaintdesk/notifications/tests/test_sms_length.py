"""Every shipped SMS, rendered for a long real case, within NOTIFY_SMS_MAX_SEGMENTS in both languages; and the
check of an administrator's SMS text measures with the link as it really goes out."""

import pytest

from complaintdesk.notifications.content import sample_values, template_errors, template_render
from complaintdesk.notifications.defaults import DEFAULT_TEMPLATES

pytestmark = pytest.mark.django_db

SMS = [t for t in DEFAULT_TEMPLATES if t[1] == "sms"]
OLD_ENGLISH_ACK = (
    "Complaint {case_number} received. We'll contact you[[ by {reply_by}]][[ {reply_soon}]] and reply"
    "[[ by {deadline}]]. Track it with this number[[: {track_url}]]"
)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.PUBLIC_BASE_URL = "https://cs.example.com"  # the address of the tests and the demo
    settings.NOTIFY_SMS_MAX_SEGMENTS = 3


def long_case(language: str) -> dict[str, str]:
    values = sample_values(language)
    values.pop("reply_soon")  # a time, longer than "soon"
    english = language == "en"
    values.update(
        customer_title="Ms Ouyang Mingyue" if english else "欧阳明月女士",
        agent_name="Ouyang Mingyuan" if english else "欧阳明远",
        extension="80216",
        level="the business manager" if english else "业务经理",
    )
    return values


@pytest.mark.parametrize(("code", "language", "body"), [(t[0], t[2], t[4]) for t in SMS],
                         ids=[f"{t[0]}-{t[2]}" for t in SMS])  # fmt: skip
def test_shipped_sms_fits_the_segments_for_a_long_case(code, language, body):
    values = long_case(language)
    assert len(values["case_number"]) == 16
    rendered = template_render(channel="sms", subject="", body=body, provider_fields={}, values=values)
    assert rendered.missing == []
    if "{track_url}" in body:
        assert values["track_url"] in rendered.body  # measured with the link the customer gets
    assert rendered.segments <= 3, f"{len(rendered.body)}: {rendered.body}"


def test_the_tracking_link_measured_is_the_real_one():
    assert sample_values("en")["track_url"] == "https://cs.example.com/t/TS20261124000123/en"
    assert sample_values("zh-hans")["track_url"] == "https://cs.example.com/t/TS20261124000123"


def test_an_english_text_too_long_with_the_real_link_is_refused(settings):
    settings.NOTIFY_TRACK_URL = "https://cs.example.com/portal/track/?number={case_number}&lang=en"
    errors = template_errors(channel="sms", language="en", subject="", body=OLD_ENGLISH_ACK)
    assert "body" in errors  # with a stand-in link of 24 characters it passed
    settings.NOTIFY_TRACK_URL = ""
    assert (
        template_errors(channel="sms", language="en", subject="", body=OLD_ENGLISH_ACK + " Thank you!") != {}
    )


def test_the_english_result_reads_as_a_sentence():
    body = next(t[4] for t in SMS if t[0] == "result" and t[2] == "en")
    text = template_render(
        channel="sms", subject="", body=body, provider_fields={}, values=long_case("en")
    ).body
    assert "cause a" not in text and "done the" not in text and "result the" not in text
    assert (
        "TS20261124000123 resolved. a billing system error. the double charge was reversed. the 30 yuan"
        in text
    )
