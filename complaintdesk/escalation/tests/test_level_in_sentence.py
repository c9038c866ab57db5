"""A level's name inside an English sentence to the customer reads as running text: "now with the business
manager", never "now with Business manager"; Chinese keeps the name as it is."""

import pytest

from complaintdesk.escalation.defaults import DEFAULT_LEVELS
from complaintdesk.escalation.selectors import level_name_in_sentence
from complaintdesk.notifications.content import sample_values, template_render
from complaintdesk.notifications.defaults import DEFAULT_TEMPLATES


@pytest.mark.parametrize(
    ("name", "language", "said"),
    [
        ("Business manager", "en", "the business manager"),
        ("Branch head", "en", "the branch head"),
        ("General management dept", "en", "the general management dept"),
        ("HQ complaints office", "en", "the HQ complaints office"),
        ("The board", "en", "the board"),
        ("业务经理", "en", "业务经理"),  # a ladder without an English name
        ("业务经理", "zh-hans", "业务经理"),
        ("Business manager", "zh-hans", "Business manager"),
    ],
)
def test_the_level_as_a_sentence_says_it(name, language, said):
    assert level_name_in_sentence(name, language=language) == said


ENGLISH_ESCALATED = [t for t in DEFAULT_TEMPLATES if t[0] == "escalated" and t[2] == "en"]


@pytest.mark.django_db
@pytest.mark.parametrize("template", ENGLISH_ESCALATED, ids=[t[1] for t in ENGLISH_ESCALATED])
def test_every_shipped_level_reads_naturally_in_the_english_escalated_messages(template):
    _code, channel, _language, subject, body, fields = template
    for level in DEFAULT_LEVELS:
        values = sample_values("en") | {"level": level_name_in_sentence(level.name_en, language="en")}
        rendered = template_render(
            channel=channel, subject=subject, body=body, provider_fields=fields, values=values
        )
        text = f"{rendered.subject} {rendered.body}"
        assert f"with {level.name_en}" not in text and f"by {level.name_en}" not in text, text
        assert f"the {level.name_en.lower()}" in text, text
