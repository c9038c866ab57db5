"""Repeat complaints: linked to the earlier ones, raising the score, counted by the KPI."""

import datetime as dt

import pytest

from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint
from complaintdesk.intelligence import selectors
from complaintdesk.intelligence.models import IntelligencePolicy, RepeatLink
from complaintdesk.intelligence.services import enrichment

pytestmark = pytest.mark.django_db


def _age(complaint, days):
    Complaint.objects.filter(pk=complaint.pk).update(created_at=now() - dt.timedelta(days=days))


def test_same_customer_within_the_window_is_linked_and_scored(categories, intake):
    first = intake("宽带断网")
    second = intake("宽带又断网")
    third = intake("宽带还是断网")
    insight = enrichment.complaint_enrich(complaint_id=third.pk)
    links = RepeatLink.objects.filter(complaint=third)
    assert {(link.earlier_id, link.matched_on) for link in links} == {
        (first.pk, "customer"),
        (second.pk, "customer"),
    }
    assert {"rule": "repeat", "points": 25, "detail": "2"} in insight.severity_reasons


def test_outside_the_window_is_not_a_repeat_and_the_window_is_configurable(categories, intake):
    old = intake("宽带断网")
    _age(old, 40)
    new = intake("宽带又断网")
    enrichment.complaint_enrich(complaint_id=new.pk)
    assert not RepeatLink.objects.filter(complaint=new).exists()
    IntelligencePolicy.objects.update_or_create(pk=1, defaults={"severity_rules": {"repeat_window_days": 60}})
    enrichment.complaint_enrich(complaint_id=new.pk)
    assert RepeatLink.objects.get(complaint=new).earlier == old


def test_the_same_account_or_order_under_another_customer_record_is_a_repeat(categories, intake):
    by_account = intake("订单没送到", phone="13900000001", account_no="ORD-778899")
    other_customer = intake("我先问一下", phone="13900000002")
    # The second customer now gives the same order number: intake keeps them as the second customer.
    repeat = intake("订单还没送到", phone="13900000002", account_no="ORD-778899")
    assert repeat.customer_id == other_customer.customer_id != by_account.customer_id
    enrichment.complaint_enrich(complaint_id=repeat.pk)
    matched = dict(RepeatLink.objects.filter(complaint=repeat).values_list("earlier_id", "matched_on"))
    assert matched == {by_account.pk: "account", other_customer.pk: "customer"}


def test_rerun_adds_no_duplicate_links(categories, intake):
    intake("宽带断网")
    second = intake("宽带又断网")
    enrichment.complaint_enrich(complaint_id=second.pk)
    enrichment.complaint_enrich(complaint_id=second.pk)
    assert RepeatLink.objects.filter(complaint=second).count() == 1


def test_repeat_complaint_rate_kpi(org, categories, intake):
    intake("宽带断网", phone="13900000011")
    repeat = intake("宽带又断网", phone="13900000011")
    intake("话费多扣", phone="13900000012")
    enrichment.complaint_enrich(complaint_id=repeat.pk)
    start, end = now() - dt.timedelta(days=1), now() + dt.timedelta(minutes=1)
    assert selectors.repeat_complaint_rate(start=start, end=end) == {
        "complaints": 3,
        "repeats": 1,
        "rate": 0.3333,
    }
    assert selectors.repeat_complaint_rate(start=start, end=end, unit_ids=[org.store_b.pk])["complaints"] == 0
