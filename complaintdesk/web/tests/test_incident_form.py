"""Declaring an incident in the workbench: the affected units are chosen by name, never typed as codes."""

import re

import pytest
from django.test import Client

from complaintdesk.outreach.models import Incident

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    return client


def _units_select(html: str) -> str:
    return re.search(r'<select name="units".*?</select>', html, re.S).group(0)


def test_the_form_offers_the_managers_units_by_name(org):
    html = _client(org.manager).get("/incidents/").content.decode()
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', _units_select(html))
    names = [name for _code, name in options]
    assert names == ["上海分公司", "徐汇门店", "浦东门店"]  # the branch and its stores, not HQ nor billing
    assert "编码" not in html  # nothing asks for a code


def test_two_units_chosen_are_the_incidents_and_a_refused_form_keeps_them(org):
    client = _client(org.manager)
    form = {
        "kind": "outage",
        "title": "徐汇浦东宽带中断",
        "explanation": "一处光缆被施工挖断，工程师正在抢修",
        "units": ["SH-A", "SH-B"],
        "starts_at": "",  # missing: refused
    }
    refused = client.post("/incidents/declare", form, follow=True).content.decode()
    assert not Incident.objects.exists()
    chosen = re.findall(r'<option value="([^"]+)" selected>', _units_select(refused))
    assert chosen == ["SH-A", "SH-B"]
    form["starts_at"] = "2026-12-08T09:00"
    client.post("/incidents/declare", form)
    incident = Incident.objects.get()
    assert sorted(incident.org_units.values_list("code", flat=True)) == ["SH-A", "SH-B"]
