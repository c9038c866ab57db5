"""The case page names the customer with their title once: "王丽（女士）", but "王女士", not "王女士（女士）"
(a walk-through found "陈先生（先生）": the title was taken from the name the customer typed)."""

import re

import pytest
from django.test import Client

from complaintdesk.complaints.models import Customer
from complaintdesk.testing import handling_case
from complaintdesk.web.templatetags.case_display import name_with_title

pytestmark = pytest.mark.django_db


def _customer_line(client, number) -> str:
    html = client.get(f"/complaints/{number}/").content.decode()
    line = re.search(r'data-testid="customer">(.*?)·', html, re.S).group(1)
    return re.sub(r"\s+", " ", line).strip()


def test_a_name_typed_with_the_title_is_not_followed_by_it_again(org):
    complaint = handling_case(org.agent_a)  # from 王女士
    Customer.objects.filter(pk=complaint.customer_id).update(title=Customer.Title.MS)
    client = Client()
    client.force_login(org.agent_a)
    assert _customer_line(client, complaint.number) == "王女士"

    Customer.objects.filter(pk=complaint.customer_id).update(name="王丽")
    assert _customer_line(client, complaint.number) == "王丽（女士）"


def test_name_with_title():
    assert name_with_title({"name": "陈先生", "title": "先生"}) == "陈先生"
    assert name_with_title({"name": "陈明", "title": "先生"}) == "陈明（先生）"
    assert name_with_title({"name": "陈明", "title": ""}) == "陈明"
