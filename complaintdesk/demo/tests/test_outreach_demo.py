"""The demo organisation has an incident in progress with linked complaints, events received through the
rules (one batch told first, one not), a care campaign and customers' choices; loading again adds nothing."""

import io

import pytest
from django.core.management import call_command

from complaintdesk.demo.outreach import BATCH_SIZE, OUTAGE_COMPLAINTS, OUTAGE_TITLE, demo_outreach_ensure
from complaintdesk.outreach.effect import notice_effect
from complaintdesk.outreach.models import (
    Campaign,
    CustomerChoiceChange,
    Incident,
    IncidentLink,
    IncidentStatus,
    OutreachMessage,
)

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_incident_linked_complaints_events_and_a_campaign_once(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("load_demo", complaints=5, seed=3, stdout=io.StringIO())
    outage = Incident.objects.get(title=OUTAGE_TITLE)
    assert outage.status == IncidentStatus.ACTIVE
    links = IncidentLink.objects.filter(incident=outage)
    assert links.count() == OUTAGE_COMPLAINTS and all(link.answered_at for link in links)
    told, not_told = (
        Incident.objects.get(external_id="batch-12"),
        Incident.objects.get(external_id="batch-13"),
    )
    assert told.notify_customers and not not_told.notify_customers
    assert OutreachMessage.objects.filter(incident=told).count() == BATCH_SIZE
    assert not OutreachMessage.objects.filter(incident=not_told).exists()
    effect = notice_effect(incident=told)
    assert (
        effect.noticed_customers == BATCH_SIZE
        and effect.noticed_complaints
        == links.model.objects.filter(incident=told, noticed_before=True).count()
    )
    assert notice_effect(incident=not_told).unnoticed_customers == BATCH_SIZE
    assert Campaign.objects.filter(is_active=True).count() == 2
    assert CustomerChoiceChange.objects.filter(channel="link", topic="notices", agreed=False).exists()
    assert CustomerChoiceChange.objects.filter(channel="link", topic="care", agreed=False).count() == 2
    before = (Incident.objects.count(), IncidentLink.objects.count(), OutreachMessage.objects.count(),
              Campaign.objects.count(), CustomerChoiceChange.objects.count())  # fmt: skip
    call_command("load_demo", stdout=io.StringIO())
    assert demo_outreach_ensure() is False
    after = (Incident.objects.count(), IncidentLink.objects.count(), OutreachMessage.objects.count(),
             Campaign.objects.count(), CustomerChoiceChange.objects.count())  # fmt: skip
    assert after == before
