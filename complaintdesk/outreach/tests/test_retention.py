"""An incident's messages to the customers it concerned, and care messages, lose their personal data once the
organisation's default retention has ended (counted from the incident's resolution, or the care message's
writing), by the daily privacy job: recipients masked, texts without personal data, the incident's list of
accounts masked; every row and every count stays, each row once, in bounded batches."""

import datetime as dt

import pytest

from complaintdesk.common.time import now
from complaintdesk.complaints.models import Customer
from complaintdesk.outreach.anonymise import messages_anonymise, outreach_retention_run
from complaintdesk.outreach.care import campaign_run, customer_choice_record
from complaintdesk.outreach.effect import notice_effect
from complaintdesk.outreach.models import Incident, MessageStatus, OutreachMessage
from complaintdesk.outreach.services import incident_resolve
from complaintdesk.privacy.models import RetentionRule
from complaintdesk.privacy.tasks import anonymise_expired

from .test_notices_and_care import _campaign, _customer, _event

pytestmark = pytest.mark.django_db

EXPIRED = dt.timedelta(days=3 * 365 + 5)


def _age(incident: Incident, by: dt.timedelta) -> None:
    """The incident resolved `by` ago, its messages written before that."""
    Incident.objects.filter(pk=incident.pk).update(resolved_at=now() - by)
    OutreachMessage.objects.filter(incident=incident).update(created_at=now() - by - dt.timedelta(days=2))


def _told_incident(org, committed, external_id: str, customers: list[Customer]) -> Incident:
    accounts = "\n".join(c.account_no for c in customers)
    incident = _event(committed, external_id=external_id, accounts=accounts)
    assert OutreachMessage.objects.filter(incident=incident, status=MessageStatus.SENT).count() == len(
        customers
    )
    committed(
        incident_resolve, incident_id=incident.pk, actor=org.manager, resolution="已发货", mode="continue"
    )
    incident.refresh_from_db()
    return incident


def _personal(message: OutreachMessage, customer: Customer) -> list[str]:
    texts = " ".join((message.recipient, message.subject, message.body, message.last_error))
    token = f"/stop/{customer.pk}."  # the opt-out link's token names the customer
    return [
        v for v in (customer.phone, customer.phone.removeprefix("+86"), customer.name, token) if v in texts
    ]


def test_an_incidents_messages_lose_their_personal_data_after_the_retention_and_the_counts_stay(
    org, committed
):
    a = _customer("欧阳娜娜", "+8613700000001", "ORD-1")
    b = _customer("司马光", "+8613700000002", "ORD-2")
    old = _told_incident(org, committed, "batch-old", [a, b])
    recent = _told_incident(org, committed, "batch-new", [_customer("诸葛亮", "+8613700000009", "ORD-9")])
    _age(old, EXPIRED)
    _age(recent, dt.timedelta(days=400))
    a_message = OutreachMessage.objects.get(incident=old, customer=a)
    a_message.body = (
        f"{a.name}您好，{a_message.body}（回电 {a.phone.removeprefix('+86')}）"  # a body that names them
    )
    a_message.save(update_fields=["body"])
    assert _personal(a_message, a)
    effect = notice_effect(incident=old)
    counts = (effect.noticed_customers, effect.noticed_complaints, effect.unnoticed_customers)

    totals = anonymise_expired()  # the daily privacy job

    assert totals["outreach"] == {"incidents": 1, "messages": 2, "remaining": False}
    for customer in (a, b):
        message = OutreachMessage.objects.get(incident=old, customer=customer)
        assert not _personal(message, customer), message.body
        assert message.recipient == "137****000" + customer.phone[-1] and message.anonymised_at is not None
        assert message.status == MessageStatus.SENT and message.sent_at is not None  # what is counted stays
    assert "欧***您好" in OutreachMessage.objects.get(incident=old, customer=a).body
    old.refresh_from_db()
    assert old.accounts == ["OR*-1", "OR*-2"] and old.anonymised_at is not None
    again = notice_effect(incident=old)
    assert (
        (again.noticed_customers, again.noticed_complaints, again.unnoticed_customers) == counts == (2, 0, 0)
    )
    # Within its retention: as it was.
    kept = OutreachMessage.objects.get(incident=recent)
    assert (
        kept.recipient == "+8613700000009" and kept.anonymised_at is None and _personal(kept, kept.customer)
    )
    assert Incident.objects.get(pk=recent.pk).accounts == ["ORD-9"]
    # A second run changes nothing.
    before = list(OutreachMessage.objects.order_by("id").values())
    assert anonymise_expired()["outreach"] == {"incidents": 0, "messages": 0, "remaining": False}
    assert list(OutreachMessage.objects.order_by("id").values()) == before


def test_the_retention_is_the_organisations_default_rule_and_an_incident_in_progress_keeps_its_messages(
    org, committed
):
    a = _customer("甲", "+8613700000001", "ORD-1")
    resolved = _told_incident(org, committed, "batch-1", [a])
    _age(resolved, dt.timedelta(days=400))
    active = _event(committed, external_id="batch-2", accounts="ORD-1")
    OutreachMessage.objects.filter(incident=active).update(created_at=now() - EXPIRED)
    assert outreach_retention_run()["messages"] == 0  # 400 days: within the default 3 years
    RetentionRule.objects.update_or_create(category=None, defaults={"years": 1, "months": 0})
    assert outreach_retention_run() == {"incidents": 1, "messages": 1, "remaining": False}
    assert OutreachMessage.objects.get(incident=active).recipient == "+8613700000001"  # still in progress


def test_care_messages_go_after_the_retention_a_message_still_retrying_waits_and_batches_are_bounded(org):
    customers = [_customer(f"客户{n}", f"+86136000000{n:02d}") for n in range(3)]
    for customer in customers:
        customer_choice_record(customer=customer, actor=org.manager, care=True)
    campaign = _campaign()
    assert campaign_run(campaign=campaign)["queued"] == 3
    OutreachMessage.objects.filter(campaign=campaign).update(
        created_at=now() - EXPIRED, status=MessageStatus.SENT
    )
    retrying = OutreachMessage.objects.filter(customer=customers[2]).get()
    OutreachMessage.objects.filter(pk=retrying.pk).update(status=MessageStatus.FAILED)
    assert messages_anonymise(at=now(), batch=1) == (1, True)
    assert messages_anonymise(at=now(), batch=1) == (1, False)
    for customer in customers[:2]:
        message = OutreachMessage.objects.get(customer=customer)
        assert message.anonymised_at is not None and not _personal(message, customer), message.body
    assert OutreachMessage.objects.get(pk=retrying.pk).recipient == customers[2].phone  # waits until finished
    assert OutreachMessage.objects.filter(campaign=campaign).count() == 3
