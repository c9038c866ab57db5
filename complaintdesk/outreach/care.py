"""Customer care (SPEC: 节日问候、生日祝福、定期回访): campaigns run by a periodic job, each message through the
notifications' notifiers. A customer gets a care message only when all of these hold:
- they agreed to care messages (unless the campaign does not ask for consent) and have not refused them since;
- they have no open complaint (unless the campaign says to include them): a greeting to someone waiting for
  an answer reads as mockery;
- they had no care message in the campaign's `min_days_between` days (the frequency cap, across campaigns);
- it is not the campaign's quiet hours (local time; the job waits and sends afterwards);
- they have not had this campaign's message for this occasion (the festival's day, the birthday's year, the
  closed case of a check-in): one per customer, campaign and occasion, a unique constraint.
Every condition is part of the one query that picks the candidates, so a run is bounded and never loads
customers it will skip."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext as _

from complaintdesk.common.errors import InvalidInput
from complaintdesk.common.time import day_as_typed, local_today, now, to_local
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.models import Complaint, Customer

from .delivery import message_queue
from .models import (
    Campaign,
    CampaignKind,
    ChoiceChannel,
    ChoiceTopic,
    CustomerChoice,
    CustomerChoiceChange,
    OutreachMessage,
    Purpose,
)
from .optout import stop_token_read

logger = logging.getLogger(__name__)

BATCH = 200


def max_per_run() -> int:
    return int(getattr(settings, "OUTREACH_CARE_MAX_PER_RUN", 2000))


def in_quiet_hours(campaign: Campaign, local_time: dt.time) -> bool:
    start, end = campaign.quiet_from, campaign.quiet_until
    if start == end:
        return False
    if start < end:
        return start <= local_time < end
    return local_time >= start or local_time < end


def campaign_due(campaign: Campaign, today: dt.date) -> bool:
    if not campaign.is_active:
        return False
    if campaign.starts_on and today < campaign.starts_on or campaign.ends_on and today > campaign.ends_on:
        return False
    if campaign.kind == CampaignKind.FESTIVAL:
        return campaign.send_on == today
    if campaign.kind == CampaignKind.CHECK_IN:
        return bool(campaign.check_in_after_days)
    return True  # birthdays: every day, for the customers born on it


def candidates(campaign: Campaign, *, today: dt.date, at: dt.datetime):
    """(customer queryset, occasion expression) of those to send to now, in id order."""
    customers = Customer.objects.all()
    occasion = today.isoformat()
    if campaign.kind == CampaignKind.BIRTHDAY:
        customers = customers.filter(outreach_choice__birthday__month=today.month,
                                     outreach_choice__birthday__day=today.day)  # fmt: skip
        occasion = str(today.year)
    elif campaign.kind == CampaignKind.CHECK_IN:
        day = today - dt.timedelta(days=campaign.check_in_after_days or 0)
        closed = Complaint.objects.filter(customer_id=OuterRef("pk"), closed_at__date=day)
        customers = customers.filter(Exists(closed))
    if campaign.consent_required:
        customers = customers.filter(outreach_choice__care_consent_at__isnull=False)
    refused = CustomerChoice.objects.filter(customer_id=OuterRef("pk"), care_refused_at__isnull=False).filter(
        Q(care_consent_at__isnull=True) | Q(care_refused_at__gt=F("care_consent_at"))
    )
    customers = customers.filter(~Exists(refused))
    if not campaign.include_open_complaints:
        customers = customers.filter(
            ~Exists(Complaint.objects.filter(customer_id=OuterRef("pk"), is_open=True))
        )
    recent = OutreachMessage.objects.filter(
        customer_id=OuterRef("pk"), purpose=Purpose.CARE,
        created_at__gt=at - dt.timedelta(days=campaign.min_days_between),
    )  # fmt: skip
    sent = OutreachMessage.objects.filter(customer_id=OuterRef("pk"), campaign=campaign, occasion=occasion)
    return customers.filter(~Exists(recent), ~Exists(sent)).order_by("pk"), occasion


def care_text(campaign: Campaign, customer: Customer) -> str:
    """The campaign's message in the customer's language (an SMS too long is cut at its end: outreach.sms)."""
    if (customer.language or "").startswith("en") and campaign.message_en:
        return campaign.message_en
    return campaign.message


def campaign_run(*, campaign: Campaign, at: dt.datetime | None = None) -> dict:
    """Send what is due of one campaign now (nothing in its quiet hours). Returns counts."""
    at = at or now()
    local = to_local(at)
    if not campaign_due(campaign, local.date()):
        return {"queued": 0, "skipped": "not_due"}
    if in_quiet_hours(campaign, local.time()):
        return {"queued": 0, "skipped": "quiet_hours"}
    queued = no_contact = 0
    after = 0
    while queued + no_contact < max_per_run():
        query, occasion = candidates(campaign, today=local.date(), at=at)
        batch = list(query.filter(pk__gt=after)[:BATCH])
        if not batch:
            break
        for customer in batch:
            after = customer.pk
            try:
                with transaction.atomic():
                    message = message_queue(
                        customer=customer, purpose=Purpose.CARE, campaign=campaign, occasion=occasion,
                        body=care_text(campaign, customer),
                    )  # fmt: skip
            except IntegrityError:
                continue
            queued += message is not None
            no_contact += message is None
    Campaign.objects.filter(pk=campaign.pk).update(last_run_at=at)
    return {"queued": queued, "no_contact": no_contact}


def campaigns_run_due(*, at: dt.datetime | None = None) -> dict:
    """The periodic job: every active campaign that is due today."""
    at = at or now()
    today = local_today()
    result = {}
    for campaign in Campaign.objects.filter(is_active=True).order_by("pk")[:100]:
        if campaign_due(campaign, today):
            result[campaign.name] = campaign_run(campaign=campaign, at=at)
    return result


# --- the customer's choices ------------------------------------------------------------------------------


CHOICES = ("notices", "care")


@transaction.atomic
def customer_choice_record(
    *, customer: Customer, actor, notices: bool | None = None, care: bool | None = None,
    birthday: dt.date | None = None, note: str = "", channel: str = ChoiceChannel.STAFF,
) -> CustomerChoice:  # fmt: skip
    """Record what the customer said (on the phone, by tapping the link in a message, on the portal): notices
    True/False (they are sent unless refused), care True (consent) / False (refusal), their birthday. The
    current choice is kept on CustomerChoice; each change, with its time and how it reached us, on
    CustomerChoiceChange. Saying again what is already recorded changes nothing."""
    note = (note or "").strip()
    if len(note) > 200:
        raise InvalidInput({"note": [_("不能超过 %(limit)d 个字符") % {"limit": 200}]})
    if channel not in ChoiceChannel.values:
        raise InvalidInput({"channel": [_("请选择客户是怎样告诉我们的")]})
    at = now()
    choice, _created = CustomerChoice.objects.select_for_update().get_or_create(
        customer=customer, defaults={"updated_at": at}
    )
    changes: list[tuple[str, bool]] = []
    if notices is not None and notices != (choice.notices_refused_at is None):
        choice.notices_refused_at = None if notices else at
        changes.append((ChoiceTopic.NOTICES, notices))
    if care is not None and care != care_agreed(choice):
        if care:
            choice.care_consent_at, choice.care_refused_at = at, None
        else:
            choice.care_refused_at = at
        changes.append((ChoiceTopic.CARE, care))
    if birthday is not None and birthday != choice.birthday:
        choice.birthday = birthday
        changes.append((ChoiceTopic.BIRTHDAY, True))
    if not changes and not _created:
        return choice
    choice.recorded_by = actor
    choice.note = note
    choice.updated_at = at
    choice.save(update_fields=["notices_refused_at", "care_consent_at", "care_refused_at", "birthday",
                               "recorded_by", "note", "updated_at"])  # fmt: skip
    CustomerChoiceChange.objects.bulk_create(
        CustomerChoiceChange(
            customer=customer,
            topic=topic,
            agreed=agreed,
            channel=channel,
            at=at,
            recorded_by=actor,
            note=note,
        )  # fmt: skip
        for topic, agreed in changes
    )
    return choice


def care_agreed(choice: CustomerChoice | None) -> bool:
    """Consent given and not withdrawn since."""
    if choice is None or choice.care_consent_at is None:
        return False
    return choice.care_refused_at is None or choice.care_refused_at <= choice.care_consent_at


def customer_stop(*, token: str) -> tuple[Customer, str] | None:
    """The customer tapped the opt-out link of a message: that kind of message (proactive notices, or care
    messages) is refused from now on, recorded as coming from the link. (customer, purpose), or None for a
    link we did not make."""
    request = stop_token_read(token)
    if request is None:
        return None
    customer = Customer.objects.filter(pk=request.customer_id).first()
    if customer is None:
        return None
    if request.purpose == Purpose.NOTICE:
        customer_choice_record(customer=customer, actor=None, notices=False, channel=ChoiceChannel.LINK)
    else:
        customer_choice_record(customer=customer, actor=None, care=False, channel=ChoiceChannel.LINK)
    return customer, request.purpose


def customer_stop_preview(*, token: str) -> tuple[Customer, str] | None:
    """What the link would stop (the page shown before the customer confirms), without changing anything."""
    request = stop_token_read(token)
    if request is None:
        return None
    customer = Customer.objects.filter(pk=request.customer_id).first()
    return None if customer is None else (customer, request.purpose)


def customer_choice_record_for_case(
    *, number: str, actor, notices: bool, care: bool, birthday: str = "", note: str = ""
) -> CustomerChoice:
    """Staff record on the case page what its customer said on the phone or in person: whether they want
    proactive notices and care messages, and their birthday. Needs the right to handle the case."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint")
    born = None
    if (birthday or "").strip():
        born = day_as_typed(birthday)
        if born is None:
            raise InvalidInput({"birthday": [_("请按“年-月-日”填写日期，例如 1990-05-20")]})
        if not dt.date(1900, 1, 1) <= born <= local_today():
            raise InvalidInput({"birthday": [_("生日不能晚于今天")]})
    return customer_choice_record(
        customer=complaint.customer, actor=actor, notices=notices, care=care, birthday=born, note=note,
        channel=ChoiceChannel.STAFF,
    )  # fmt: skip


def customer_choices(*, customer: Customer, limit: int = 5) -> tuple[CustomerChoice | None, list]:
    """The customer's current choice and their latest changes (the case page's panel)."""
    choice = CustomerChoice.objects.filter(customer=customer).first()
    changes = list(
        CustomerChoiceChange.objects.filter(customer=customer)
        .select_related("recorded_by")
        .order_by("-at", "-pk")[:limit]
    )
    return choice, changes
