"""The dashboard speaks to people: each KPI's definition is on the page (not a pointer to a file), and
durations read "2小时15分" / "3天", never hours with decimals or sums of seconds."""

import re

import pytest
from django.urls import reverse

from complaintdesk.analytics.services import analytics_rebuild
from complaintdesk.common.humanize import duration_for_people
from tests.raw_codes import visible_text

from .fixture import AT, Fixture

pytestmark = pytest.mark.django_db
PERIOD = {"from": "2026-03", "to": "2026-04"}


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "不到1分钟"),
        (59, "不到1分钟"),
        (45 * 60, "45分钟"),
        (2 * 3600, "2小时"),
        (2 * 3600 + 15 * 60, "2小时15分"),
        (3 * 86400, "3天"),
        (3 * 86400 + 4 * 3600 + 59, "3天4小时"),
        (-90 * 60, "1小时30分"),
        (None, "—"),
    ],
)
def test_durations_in_words(seconds, words):
    assert duration_for_people(seconds) == words


def test_definitions_and_durations_on_the_dashboard(client, org):
    Fixture(org)
    analytics_rebuild(at=AT)
    client.force_login(org.executive)
    html = client.get(reverse("web:dashboard"), PERIOD).content.decode()
    text = visible_text(html)
    assert "docs/metrics.md" not in text
    definitions = re.search(r'data-testid="definitions".*?</section>', html, re.S).group(0)
    assert (
        "满意（4–5 星）的评价 ÷ 有评价的投诉 × 100" in definitions and "首次接触即办结的联系" in definitions
    )
    assert definitions.count("<dt>") == 15  # one per KPI
    for code in ("art", "aht"):
        card = visible_text(re.search(rf'data-kpi="{code}".*?</div>\s*</div>', html, re.S).group(0))
        assert re.search(r"\d+(天|小时|分钟)", card), card  # a duration in words …
        assert not re.search(r"\d+\.\d+\s*h\b", card) and "合计" in card, (
            card
        )  # … not decimal hours or seconds
