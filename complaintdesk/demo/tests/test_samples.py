"""The pure parts of the demo: sample texts and lifecycle paths (no database)."""

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest

from complaintdesk.complaints.customers import phone_normalise
from complaintdesk.complaints.models import Channel, PerceivedSeverity, Responsibility
from complaintdesk.complaints.states import Status, check_transition
from complaintdesk.demo.lifecycle import DEMO_STATUS_WEIGHTS, path_to, plan_times, random_created_at
from complaintdesk.demo.organisation import CATEGORIES
from complaintdesk.demo.samples import TEMPLATES, sample_complaint, sample_customer

NOW = dt.datetime(2026, 11, 23, 4, 0, tzinfo=dt.UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_every_template_fills_all_its_slots_and_fits_the_model():
    rng = random.Random(3)
    seen_descriptions = set()
    category_codes = {code for code, _name, _en in CATEGORIES}
    for _ in range(2000):
        sample = sample_complaint(rng, city="上海", store="上海徐汇加盟店")
        texts = (
            sample.title,
            sample.description,
            sample.demand,
            sample.place,
            sample.solution,
            sample.account_no,
        )
        assert not any("{" in text or "}" in text for text in texts), texts
        assert 0 < len(sample.title) <= 200 and len(sample.place) <= 200 and len(sample.account_no) <= 64
        assert sample.category_code in category_codes
        assert sample.channel in Channel.values
        assert sample.perceived_severity in PerceivedSeverity.values
        assert sample.responsibility in Responsibility.values
        seen_descriptions.add(sample.description)
    assert len(seen_descriptions) > 1000  # slots make the texts vary, not just the 30-odd templates
    assert 20 <= len(TEMPLATES) <= 40


def test_sample_customers_have_valid_phones_and_reserved_email_domains():
    rng = random.Random(5)
    for _ in range(300):
        customer = sample_customer(rng)
        assert phone_normalise(customer.phone).startswith("+86")
        assert customer.email == "" or customer.email.endswith("@example.com")


@pytest.mark.parametrize("final", list(DEMO_STATUS_WEIGHTS))
def test_every_path_follows_the_transition_table(final):
    rng = random.Random(11)
    for _ in range(200):
        path = path_to(rng, final)
        current = Status.NEW
        for target in path:
            check_transition(current, target)  # raises IllegalTransition otherwise
            current = target
        assert current == final


def test_step_times_increase_and_stay_in_the_past():
    rng = random.Random(13)
    for final in DEMO_STATUS_WEIGHTS:
        for _ in range(50):
            created = random_created_at(rng, now=NOW, min_days=0.01, max_days=3, zone=SHANGHAI)
            assert NOW - dt.timedelta(days=3) <= created <= NOW
            times = plan_times(
                rng, created_at=created, path=path_to(rng, final), latest=NOW, complex_case=True
            )
            assert all(a < b for a, b in zip([created, *times], times, strict=False))
            assert all(t <= NOW for t in times)
