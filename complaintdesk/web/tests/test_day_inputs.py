"""Days are typed year first everywhere a person enters one (2026-12-01, 2026/12/1, 2026年12月1日), through
one input (`web/_day_input.html`, a text field: Chromium would show a date input as mm/dd/yyyy in an
English browser); every form reads them the same way (`common.time.day_as_typed`) and refuses anything else
beside its field, in the user's language, never with a 500."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.test import Client
from pydantic import BaseModel

from complaintdesk.accounts.models import Role
from complaintdesk.common.errors import InvalidInput
from complaintdesk.common.time import local_today
from complaintdesk.common.validation import TypedDay, validated
from complaintdesk.escalation.models import ExternalReferral
from complaintdesk.learning.services import service_log_write
from complaintdesk.outreach.models import CustomerChoice
from complaintdesk.quality.models import QaPeriod
from complaintdesk.regulation.models import DeadlinePack, PackSelection, RegulatorReferral
from complaintdesk.testing import handling_case, intake

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
YEAR_FIRST = "请按“年-月-日”填写日期"


def _client(user, language="zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


class _Form(BaseModel):
    day: TypedDay
    other: TypedDay | None = None


@pytest.mark.parametrize(
    "typed", ["2026-12-01", "2026/12/1", "2026.12.1", "2026年12月1日", " 2026 - 12 - 01 "]
)
def test_a_day_typed_year_first_is_that_day(typed):
    assert validated(_Form, {"day": typed}).day == dt.date(2026, 12, 1)


@pytest.mark.parametrize("typed", ["12/01/2026", "01.12.2026", "2026-02-30", "明天", "2026-13-01"])
def test_anything_else_is_refused_beside_its_field_in_words(typed):
    with pytest.raises(InvalidInput) as refused:
        validated(_Form, {"day": "2026-12-01", "other": typed})
    assert refused.value.fields == {"other": ["请按“年-月-日”填写日期，例如 2026-12-01"]}


def test_no_template_asks_for_a_browser_date_input():
    found = [str(p) for p in TEMPLATES.rglob("*.html") if re.search(r'type="date"', p.read_text())]
    assert found == []


@pytest.mark.django_db
def test_the_regulator_referral_form_takes_a_day_typed_year_first(org):
    PackSelection.objects.create(pack=DeadlinePack.objects.get(code="postal-courier", version=1))
    case = intake(org.agent_a, title="快递丢件")
    client = _client(org.agent_a)
    url = f"/complaints/{case.number}/regulation/panel"
    form = client.get(url).content.decode()
    assert 'name="forwarded_on"' in form and 'placeholder="年-月-日，如 2026-12-01"' in form
    today = local_today()
    bad = client.post(
        url,
        {"action": "refer", "source": "spb_12305", "reference": "YZ-1", "forwarded_on": "10/01/2026",
         "due_on": "2026年13月1日"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    text = bad.content.decode()
    assert bad.status_code == 422 and text.count(YEAR_FIRST) == 2  # each field, beside it
    assert 'value="10/01/2026"' in text  # what was typed is kept
    assert not RegulatorReferral.objects.exists()
    typed = f"{today.year}年{today.month}月{today.day}日"
    done = client.post(
        url, {"action": "refer", "source": "spb_12305", "reference": "YZ-1", "forwarded_on": typed, "due_on": ""},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert done.status_code == 200, done.content.decode()
    assert RegulatorReferral.objects.get().forwarded_on == today


@pytest.mark.django_db
def test_the_regulator_referral_form_refuses_in_english_for_an_english_reader(org):
    PackSelection.objects.create(pack=DeadlinePack.objects.get(code="postal-courier", version=1))
    case = intake(org.agent_a, title="快递丢件")
    client = _client(org.agent_a, "en")
    response = client.post(
        f"/complaints/{case.number}/regulation/panel",
        {"action": "refer", "source": "spb_12305", "reference": "YZ-1", "forwarded_on": "10/01/2026"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "Type the date year first, e.g. 2026-12-01" in response.content.decode()


@pytest.mark.django_db
def test_the_escalation_referral_takes_a_day_typed_year_first(org):
    complaint = handling_case(org.agent_a)
    client = _client(org.agent_a)
    url = f"/complaints/{complaint.number}/escalation/referral"
    bad = client.post(
        url, {"body": "court", "reason": "诉讼", "response_due_on": "12/30/2026"}, HTTP_HX_REQUEST="true"
    )
    assert bad.status_code < 500 and YEAR_FIRST in bad.content.decode()
    assert not ExternalReferral.objects.exists()
    done = client.post(url, {"body": "court", "reason": "诉讼", "response_due_on": "2026/12/30"})
    assert done.status_code == 302
    assert ExternalReferral.objects.get().response_due_on == dt.date(2026, 12, 30)


@pytest.mark.django_db
def test_the_quality_draw_takes_days_typed_year_first_and_names_the_wrong_one(org):
    client = _client(org.inspector)
    bad = client.post("/quality/draw", {"period_start": "2026/11/1", "period_end": "11/30/2026"}, follow=True)
    page = bad.content.decode()
    assert bad.status_code == 200 and page.count(YEAR_FIRST) == 1
    # The reason is under the end field, not the start.
    assert page.index('name="period_end"') < page.index(YEAR_FIRST)
    assert not QaPeriod.objects.exists()
    done = client.post("/quality/draw", {"period_start": "2026年11月1日", "period_end": "2026/11/30"})
    assert done.status_code == 302
    assert QaPeriod.objects.get().start == dt.date(2026, 11, 1)


@pytest.mark.django_db
def test_the_birthday_is_typed_year_first(org, django_capture_on_commit_callbacks):
    case = intake(org.agent_a, title="问个问题")
    client = _client(org.agent_a)
    bad = client.post(f"/complaints/{case.number}/outreach/choices", {"care": "on", "birthday": "05/20/1990"})
    assert bad.status_code == 302
    panel = client.get(f"/complaints/{case.number}/incident/panel").content.decode()
    assert "请按“年-月-日”填写日期，例如 1990-05-20" in panel and 'name="birthday"' in panel
    done = client.post(
        f"/complaints/{case.number}/outreach/choices", {"care": "on", "birthday": "1990年5月20日"}
    )
    assert done.status_code == 302
    assert CustomerChoice.objects.get(customer=case.customer).birthday == dt.date(1990, 5, 20)


@pytest.mark.django_db
def test_the_service_log_filter_takes_a_day_typed_year_first(org):
    supervisor = org.user("sup", Role.SUPERVISOR, org.store_a)
    service_log_write(actor=org.agent_a, went_well="准时回访", to_improve="")
    client = _client(supervisor)
    today = local_today()
    found = client.get("/learning/log/", {"day": f"{today.year}/{today.month}/{today.day}"}).content.decode()
    assert "准时回访" in found and f'value="{today.isoformat()}"' in found
    bad = client.get("/learning/log/", {"day": "12/01/2026"})
    assert bad.status_code == 200 and YEAR_FIRST in bad.content.decode()
