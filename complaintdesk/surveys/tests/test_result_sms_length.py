"""The result SMS carries the short forms of the result's four parts; however long the agent wrote them, the
message fits NOTIFY_SMS_MAX_SEGMENTS in both languages (the e-mail and the portal carry the whole result)."""

import pytest

from complaintdesk.notifications.content import sample_values, template_render
from complaintdesk.notifications.defaults import DEFAULT_TEMPLATES
from complaintdesk.surveys.results import ResultFields, result_values

pytestmark = pytest.mark.django_db

LONG = {
    "en": "the fibre cable to your building was cut by a contractor digging in the street outside and ",
    "zh-hans": "您所在楼栋的光缆被路口施工的挖掘机挖断，维修人员连夜更换了整段光缆并逐户检查了信号",
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_result_whose_every_part_is_long_still_fits(settings, language):
    settings.PUBLIC_BASE_URL = "https://cs.example.com"
    settings.NOTIFY_SMS_MAX_SEGMENTS = 3
    part = LONG[language] * 2
    values = sample_values(language) | result_values(
        ResultFields(cause=part, measures=part, outcome=part, compensation=part), language=language
    )
    body = next(t[4] for t in DEFAULT_TEMPLATES if t[:3] == ("result", "sms", language))
    rendered = template_render(channel="sms", subject="", body=body, provider_fields={}, values=values)
    assert rendered.missing == []
    for name in ("cause_short", "measures_short", "outcome_short"):
        assert values[name].endswith("…") and values[name] in rendered.body
    assert rendered.segments <= 3, f"{len(rendered.body)}: {rendered.body}"
