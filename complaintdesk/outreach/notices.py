"""Proactive notice: when an incident is to be told to the customers concerned before they complain (declared
with "notify", or an event whose rule says so), each of them gets one message, unless they refused such
notices. Who is concerned, by a simple rule: the customers on the incident's list (account/order number or
phone); without a list, the customers with a case in the last OUTREACH_NOTICE_LOOKBACK_DAYS (default 365)
taken by one of its units or naming its district. Customers whose complaint is already linked to it are left
out (they were answered on their case)."""

from __future__ import annotations

import datetime as dt
import functools

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django_tasks import task

from complaintdesk.common.time import now
from complaintdesk.complaints.models import Complaint, Customer
from complaintdesk.notifications.content import notification_language

from .delivery import message_queue
from .models import CustomerChoice, Incident, IncidentLink, IncidentStatus, OutreachMessage, Purpose
from .texts import explanation_length, notice_text

BATCH = 200


def _notice_cut(incident: Incident, language: str, explanation_max: int) -> str:
    return notice_text(incident, language=language, explanation_max=explanation_max)


def lookback_days() -> int:
    return int(getattr(settings, "OUTREACH_NOTICE_LOOKBACK_DAYS", 365))


def max_per_run() -> int:
    return int(getattr(settings, "OUTREACH_NOTICE_MAX_PER_RUN", 5000))


def concerned(incident: Incident):
    """Every customer the incident concerns by the rule above (a queryset), told or not."""
    if incident.accounts:
        return Customer.objects.filter(Q(account_no__in=incident.accounts) | Q(phone__in=incident.accounts))
    where = Q()
    for unit in incident.org_units.all():
        where |= Q(org_unit__path__startswith=unit.path)
    if incident.district:
        where |= Q(place__contains=incident.district)
    if not where:
        return Customer.objects.none()
    since = now() - dt.timedelta(days=lookback_days())
    cases = Complaint.objects.filter(where, received_at__gte=since, customer_id=OuterRef("pk"))
    return Customer.objects.filter(Exists(cases))


def audience(incident: Incident):
    """The customers concerned who have not been told yet and have not refused notices (a queryset by id)."""
    who = concerned(incident)
    told = OutreachMessage.objects.filter(incident=incident, customer_id=OuterRef("pk"))
    linked = IncidentLink.objects.filter(incident=incident, complaint__customer_id=OuterRef("pk"))
    refused = CustomerChoice.objects.filter(customer_id=OuterRef("pk"), notices_refused_at__isnull=False)
    return who.filter(~Exists(told), ~Exists(linked), ~Exists(refused)).order_by("pk")


def incident_notices_send(*, incident_id: int) -> dict:
    """Tell the customers concerned, each once (one message per customer and incident, a unique constraint).
    At most OUTREACH_NOTICE_MAX_PER_RUN a run; the rest in the next job."""
    incident = Incident.objects.filter(pk=incident_id, status=IncidentStatus.ACTIVE).first()
    if incident is None:
        return {"queued": 0, "no_contact": 0, "more": False}
    queued = no_contact = 0
    if incident.notices_started_at is None:
        Incident.objects.filter(pk=incident.pk, notices_started_at__isnull=True).update(
            notices_started_at=now()
        )
    after = 0
    while queued + no_contact < max_per_run():
        batch = list(audience(incident).filter(pk__gt=after)[:BATCH])
        if not batch:
            return {"queued": queued, "no_contact": no_contact, "more": False}
        for customer in batch:
            after = customer.pk
            try:
                with transaction.atomic():
                    language = notification_language(customer.language)
                    message = message_queue(
                        customer=customer, purpose=Purpose.NOTICE, incident=incident,
                        body=notice_text(incident, language=language),
                        # Too long for an SMS: the explanation is cut, never the expected end or the opt-out.
                        shorten=functools.partial(_notice_cut, incident, language),
                        shorten_max=explanation_length(incident, language),
                    )  # fmt: skip
            except IntegrityError:  # told meanwhile by another run
                continue
            if message is None:
                no_contact += 1
            else:
                queued += 1
    incident_notices_task.enqueue(incident.pk)
    return {"queued": queued, "no_contact": no_contact, "more": True}


@task()
def incident_notices_task(incident_id: int) -> dict:
    return incident_notices_send(incident_id=incident_id)
