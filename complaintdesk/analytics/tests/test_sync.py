"""The sync follows a case handled through the real services, and customers served are imported."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from complaintdesk.accounts.models import Role
from complaintdesk.analytics import selectors
from complaintdesk.analytics.facts import FACT_FIELDS
from complaintdesk.analytics.models import ComplaintFact, CustomersServed
from complaintdesk.analytics.rollups import rollup_matches_facts
from complaintdesk.analytics.services import analytics_rebuild, analytics_sync, customers_served_import
from complaintdesk.common.errors import InvalidInput
from complaintdesk.complaints.services import complaint_assign, complaint_transition
from complaintdesk.complaints.transfers import complaint_transfer
from complaintdesk.orgs.services import orgunit_create
from complaintdesk.testing import intake, resolve

from .fixture import SHANGHAI

pytestmark = pytest.mark.django_db


def at(clock_, month, day, hour, minute=0):
    instant = dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)
    clock_.move_to(instant, tick=False)
    return instant


def test_a_case_through_the_services(org, api_for, make_payload, time_machine):
    at(time_machine, 3, 10, 9)
    response = api_for(org.agent_a).post("/complaints", make_payload(occurred_at="2026-03-09T20:00:00+08:00"))
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    at(time_machine, 3, 10, 9, 20)
    for status in ("accepted", "handling"):
        complaint_transition(number=number, actor=org.agent_a, to=status)
    resolve(org.agent_a, number)
    analytics_sync()
    fact = ComplaintFact.objects.get()
    # Accepted 20 minutes after intake: the first response; resolved at once, by its first handler.
    assert (fact.complaints, fact.responded, fact.response_seconds, fact.fr_met) == (1, 1, 1200, 1)
    assert (fact.resolved, fact.fcr, fact.ever_resolved, fact.reopened) == (1, 1, 1, 0)
    assert fact.agent_id == org.agent_a.id and fact.month == dt.date(2026, 3, 1)

    at(time_machine, 3, 11, 10)
    complaint_transition(number=number, actor=org.agent_a, to="reopened", reason="客户说问题仍在")
    analytics_sync()
    fact.refresh_from_db()
    # Reopened: no longer resolved, no longer resolved at first contact, and counted as reopened.
    assert (fact.resolved, fact.fcr, fact.ever_resolved, fact.reopened) == (0, 0, 1, 1)
    assert rollup_matches_facts()
    s = selectors.slice_for(user=org.executive, month_from=dt.date(2026, 3, 1), month_to=dt.date(2026, 3, 1))
    assert selectors.kpis(s, source="rollup")["reopen_rate"].value == 100.0


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_customers_served_import_from_csv_and_excel(org):
    csv_content = '机构编码,月份,服务客户数\nSH-A,2026-03,1000\nSH-B,2026/3,"2,500"\n'.encode("utf-8-sig")
    assert customers_served_import(content=csv_content, filename="served.csv", actor=org.manager) == 2
    assert CustomersServed.objects.get(org_unit=org.store_b).customers == 2500
    rows = [["unit_code", "month", "customers"], ["SH-A", dt.date(2026, 3, 1), 1200], ["SH", "2026-04", 300]]
    assert customers_served_import(content=_xlsx(rows), filename="served.xlsx", actor=org.manager) == 2
    assert CustomersServed.objects.get(org_unit=org.store_a).customers == 1200  # replaced
    assert CustomersServed.objects.get(org_unit=org.store_a).source == "import"


@pytest.mark.parametrize(
    "content",
    [
        "机构编码,月份,服务客户数\nSH-A,2026-03,1000\nNOPE,2026-03,10\n",
        "机构编码,月份,服务客户数\nSH-A,2026-13,1000\n",
        "机构编码,月份,服务客户数\nSH-A,2026-03,-5\n",
        "机构编码,月份,服务客户数\nSH-A,2026-03,1\nSH-A,2026-03,2\n",
        "机构编码,服务客户数\nSH-A,1\n",
        "",
    ],
)
def test_a_bad_import_writes_nothing(org, content):
    with pytest.raises(InvalidInput):
        customers_served_import(content=content.encode(), filename="served.csv", actor=org.manager)
    assert not CustomersServed.objects.exists()


def test_admin_import_page(org, admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    assert admin_client.get(reverse("admin:analytics_customersserved_changelist")).status_code == 200
    url = reverse("admin:analytics_customersserved_import")
    assert admin_client.get(url).status_code == 200
    bad = SimpleUploadedFile("served.csv", "机构编码,月份,服务客户数\nNOPE,2026-03,1\n".encode())
    response = admin_client.post(url, {"file": bad})
    assert response.status_code == 200 and "NOPE" in response.content.decode()
    good = SimpleUploadedFile("served.csv", "机构编码,月份,服务客户数\nSH-A,2026-03,1\n".encode())
    assert admin_client.post(url, {"file": good}).status_code == 302
    assert CustomersServed.objects.get().customers == 1
    for name in ("scorecardweights", "contributionscore"):
        assert admin_client.get(reverse(f"admin:analytics_{name}_changelist")).status_code == 200


def test_a_case_transferred_to_another_unit_is_not_resolved_at_first_contact(org, time_machine):
    """转办 through the real service: the central desk takes the case in, hands it to the store, whose agent
    resolves it within the hour. Not a first-contact resolution, and counted as transferred, under the
    store; a case the store took in itself and resolved as fast is. The rebuild agrees with the sync."""
    centre = orgunit_create(code="CSC", name="客服中心", kind="service_centre", parent=org.hq)
    desk_agent = org.user("desk_agent", Role.AGENT, centre)
    at(time_machine, 3, 10, 9)
    handed_on = intake(desk_agent, title="徐汇门店宽带未开通")
    own = intake(org.agent_a)
    at(time_machine, 3, 10, 9, 10)
    complaint_transfer(number=handed_on.number, actor=desk_agent, unit_code="SH-A", reason="徐汇门店的业务")
    complaint_assign(number=handed_on.number, actor=org.manager, assignee=org.agent_a)
    at(time_machine, 3, 10, 9, 20)
    for number in (handed_on.number, own.number):
        for status in ("accepted", "handling"):
            complaint_transition(number=number, actor=org.agent_a, to=status)
        resolve(org.agent_a, number)
    analytics_sync()

    fields = ("org_unit_id", "resolved", "fcr", "contacts_resolved", "contacts_fcr", "transferred")
    facts = {f.complaint_id: tuple(getattr(f, name) for name in fields) for f in ComplaintFact.objects.all()}
    assert facts == {
        handed_on.pk: (org.store_a.pk, 1, 0, 1, 0, 1),
        own.pk: (org.store_a.pk, 1, 1, 1, 1, 0),
    }
    assert rollup_matches_facts()
    march = dt.date(2026, 3, 1)
    for source in ("rollup", "facts"):
        k = selectors.kpis(
            selectors.slice_for(user=org.executive, month_from=march, month_to=march), source=source
        )
        assert (k["fcr"].numerator, k["fcr"].denominator, k["fcr"].value) == (1, 2, 50.0)
        assert (k["transfer_rate"].numerator, k["transfer_rate"].denominator, k["transfer_rate"].value) == (
            1,
            2,
            50.0,
        )

    synced = list(ComplaintFact.objects.order_by("complaint_id").values_list(*FACT_FIELDS))
    analytics_rebuild(at=ComplaintFact.objects.get(pk=handed_on.pk).computed_at)
    assert list(ComplaintFact.objects.order_by("complaint_id").values_list(*FACT_FIELDS)) == synced
