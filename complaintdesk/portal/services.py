"""Writes of the customer portal: file a complaint on the web form, prove who you are with a one-time code
sent to the contact the case was filed with, then add information, object to the result (有异议) or
withdraw — always as the web channel's service account, so the timeline says the customer did it there.

Decisions: a code has 6 digits, lives 10 minutes, allows 5 attempts and is
used once; asking again voids the older code. A verified code grants that one case to that one session
for 30 minutes. Asking for a code answers the same whether or not the number exists or the contact
matches; only the contact on file ever receives a code. Codes go out at once, in the request, straight
through the notifications app's Notifier for the channel (not the queued notification log: a code is a
secret, it must not sit in clear in the case's message log).
"""

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import SystemUser, User
from complaintdesk.accounts.system import system_user
from complaintdesk.channels.base import InboundMessage, IncomingFile
from complaintdesk.channels.intake import IntakeResult, intake_receive
from complaintdesk.channels.services import channel_actor
from complaintdesk.common.errors import (
    DomainError,
    InvalidInput,
    too_long_message,
    unstorable_text,
    unstorable_text_message,
)
from complaintdesk.common.masking import mask_email, mask_phone
from complaintdesk.common.time import now
from complaintdesk.complaints.customers import case_contact_is_known, phone_normalise
from complaintdesk.complaints.models import Channel, Complaint, EventKind
from complaintdesk.complaints.services import IntakeCustomer, IntakeData, complaint_transition
from complaintdesk.complaints.states import ContactKind, Status, allowed_targets, runs_complaint_process
from complaintdesk.complaints.timeline import event_record
from complaintdesk.escalation.services import complaint_object
from complaintdesk.notifications.base import OutboundMessage, SendResult, notifier_for
from complaintdesk.notifications.sms.text import sms_sign
from complaintdesk.surveys.models import ConfirmedVia
from complaintdesk.surveys.resolution import resolution_routes, result_accept

from . import codes
from .models import AccessCode, AccessGrant, CodeChannel
from .selectors import OBJECTION_STATUSES, number_clean, portal_complaint_find
from .words import kind_words

logger = logging.getLogger(__name__)

CODE_TEMPLATE = "portal_code"  # the template code the SMS outbox and logs show for a code message
REASON_MAX = 2_000


def _seconds(name: str, default: int) -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, name, default) or default))


def code_lifetime() -> dt.timedelta:
    return _seconds("PORTAL_CODE_TTL_SECONDS", 600)


def grant_lifetime() -> dt.timedelta:
    return _seconds("PORTAL_ACCESS_TTL_SECONDS", 1800)


def code_max_attempts() -> int:
    return int(getattr(settings, "PORTAL_CODE_MAX_ATTEMPTS", 5) or 5)


class AccessExpired(DomainError):
    """The visitor's access to the case has ended (or never was): verify again."""

    code = "portal_access_expired"
    status = 403


def portal_actor() -> User:
    """Who acts on the timeline for a customer on the web: the web channel's service account, the same
    one the web form files complaints as (channels.services.channel_actor)."""
    return channel_actor(channel=Channel.WEB)


# --- filing -----------------------------------------------------------------------------------------------


def portal_complaint_file(*, message: InboundMessage) -> IntakeResult:
    """A complaint from the public web form: the demand is asked for on this form (SPEC §2: the customer's
    诉求); everything else is the intake's rules, as on every channel. Nothing is written on bad input."""
    if message.case_number:
        raise ValueError("the web form opens new cases; use portal_message_add for an existing one")
    if message.data.kind in ("", ContactKind.COMPLAINT) and not message.data.demand.strip():
        raise InvalidInput({"demand": [_("请告诉我们您希望如何处理（诉求）")]})
    return intake_receive(message=message, actor=portal_actor())


# --- one-time codes ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    channel: str  # CodeChannel
    value: str  # E.164 phone or lower-case email


def contact_parse(raw: str) -> Contact:
    """A phone number or an email address as the customer types it; InvalidInput on `contact` when it is
    neither (which says nothing about any case)."""
    text = (raw or "").strip()
    if not text:
        raise InvalidInput({"contact": [_("请填写登记时留下的手机号或邮箱")]})
    if "@" in text:
        email = text.lower()
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput({"contact": [_("邮箱地址格式不正确")]}) from None
        return Contact(channel=CodeChannel.EMAIL, value=email)
    try:
        return Contact(channel=CodeChannel.SMS, value=phone_normalise(text))
    except ValueError as error:
        raise InvalidInput({"contact": [str(error)]}) from None


def _contact_matches(complaint: Complaint, contact: Contact) -> bool:
    """Only a contact of this very case: given with it, or on the customer's record (which unverified
    channels never change). An e-mail someone gave with another complaint under the same phone number
    gets no code for this one."""
    field = "phone" if contact.channel == CodeChannel.SMS else "email"
    return case_contact_is_known(complaint, field=field, value=contact.value)


def _code_message(
    *, complaint: Complaint, contact: Contact, code: str, language: str, reference: str
) -> OutboundMessage:
    minutes = int(code_lifetime().total_seconds() // 60)
    with translation.override(language):
        words = kind_words(complaint.kind)  # the case is found: the message names it as what it is
        text = str(words["code_text"]) % {"number": complaint.number, "code": code, "minutes": minutes}
        subject = str(words["code_subject"]) % {"number": complaint.number}
    if contact.channel == CodeChannel.SMS:
        brand = getattr(settings, "NOTIFY_SMS_SIGNATURE", "") or getattr(settings, "BRAND_NAME", "")
        text = sms_sign(text, brand=brand)
    return OutboundMessage(
        channel=contact.channel,
        recipient=contact.value,
        language=language,
        subject=subject,
        body=text,
        template_code=CODE_TEMPLATE,
        complaint_id=complaint.pk,
        provider_template_id=getattr(settings, "PORTAL_CODE_SMS_TEMPLATE_ID", ""),
        params={"code": code},
        reference=reference,
    )


@dataclass(frozen=True)
class CodeRequest:
    """What happened, for logs and tests. Interfaces answer the same either way."""

    code: AccessCode | None  # None: no such case, or the contact is not the one on file


def portal_code_request(*, number: str, contact: str, language: str = "zh-hans") -> CodeRequest:
    """Send a one-time code for case `number` to `contact` if — and only if — that is the phone or email
    the case's customer gave. Older live codes of the case are voided. The code goes out now."""
    number = number_clean(number)
    errors = {} if number else {"number": [_("请填写受理单号")]}
    try:
        wanted = contact_parse(contact)
    except InvalidInput as error:
        errors.update(error.fields)
    if errors:
        raise InvalidInput(errors)
    complaint = portal_complaint_find(number=number)
    if complaint is None or not _contact_matches(complaint, wanted):
        logger.info("portal: no code for %s (no such case or another contact)", number)
        return CodeRequest(code=None)
    language = language if language in {"zh-hans", "en"} else "zh-hans"
    code = codes.code_generate()
    salt = codes.salt_generate()
    at = now()
    masked = mask_phone(wanted.value) if wanted.channel == CodeChannel.SMS else mask_email(wanted.value)
    with transaction.atomic():
        AccessCode.objects.filter(complaint=complaint, used_at__isnull=True, voided_at__isnull=True).update(
            voided_at=at
        )
        row = AccessCode.objects.create(
            complaint=complaint,
            channel=wanted.channel,
            recipient_masked=masked,
            salt=salt,
            code_hash=codes.code_hash(code=code, salt=salt),
            created_at=at,
            expires_at=at + code_lifetime(),
        )
    message = _code_message(
        complaint=complaint, contact=wanted, code=code, language=language, reference=f"portal-code-{row.pk}"
    )
    try:
        result = notifier_for(wanted.channel).send(message)
    except Exception as error:  # a notifier bug: the customer can ask again
        logger.exception("portal: code for %s could not be sent", complaint.number)
        result = SendResult.failed(f"{type(error).__name__}: {error}")
    row.delivered, row.delivery_error = result.ok, result.error[:500]
    AccessCode.objects.filter(pk=row.pk).update(delivered=row.delivered, delivery_error=row.delivery_error)
    if not result.ok:
        logger.warning("portal: code for %s to %s not delivered: %s", complaint.number, masked, result.error)
    return CodeRequest(code=row)


@dataclass(frozen=True)
class Verified:
    grant: AccessGrant
    token: str  # for the visitor's session only; the database keeps its hash


def portal_code_verify(*, number: str, code: str) -> Verified:
    """Check a code against the newest live code of case `number`. Every try counts (and stays counted
    when it fails); the 5th wrong one voids the code. Success uses the code up and grants that case to
    whoever holds the returned token, for 30 minutes. Failure says the same whatever the reason."""
    number = number_clean(number)
    entered = codes.code_clean(code)
    if not (entered.isdigit() and len(entered) == codes.CODE_DIGITS):
        raise InvalidInput({"code": [_("请输入 %(digits)d 位数字验证码") % {"digits": codes.CODE_DIGITS}]})
    complaint = portal_complaint_find(number=number) if number else None
    verified = None
    if complaint is not None:
        at = now()
        with transaction.atomic():
            row = (
                AccessCode.objects.select_for_update()
                .filter(complaint=complaint, used_at__isnull=True, voided_at__isnull=True)
                .order_by("-created_at", "-id")
                .first()
            )
            if row is not None and (row.expires_at <= at or row.attempts >= code_max_attempts()):
                row.voided_at = at
                row.save(update_fields=["voided_at"])
            elif row is not None:
                row.attempts += 1
                if codes.code_matches(code=entered, salt=row.salt, hashed=row.code_hash):
                    row.used_at = at
                    token = codes.token_generate()
                    grant = AccessGrant.objects.create(
                        complaint=complaint,
                        code=row,
                        key_hash=codes.token_hash(token),
                        created_at=at,
                        expires_at=at + grant_lifetime(),
                    )
                    verified = Verified(grant=grant, token=token)
                elif row.attempts >= code_max_attempts():
                    row.voided_at = at
                row.save(update_fields=["attempts", "used_at", "voided_at"])
    if verified is None:
        raise InvalidInput({"code": [_("验证码不正确或已失效，请重新获取")]}, message=_("验证未通过"))
    return verified


def portal_grant_revoke(*, grant: AccessGrant) -> None:
    """The visitor leaves the case ("退出查询"): the grant ends now."""
    if grant.revoked_at is None:
        grant.revoked_at = now()
        AccessGrant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(revoked_at=grant.revoked_at)


# --- what a verified customer does ---------------------------------------------------------------------------


def _granted(grant: AccessGrant) -> Complaint:
    """The case of a grant that is still good; AccessExpired otherwise (defence in depth: the view
    found the grant through the selector already)."""
    at = now()
    if grant is None or grant.revoked_at is not None or grant.expires_at <= at:
        raise AccessExpired(_("查询已超时，请重新验证"))
    return Complaint.objects.select_related("customer").get(pk=grant.complaint_id)


def _reason_clean(value: str, *, field: str, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput({field: [_("此项为必填项")]})
    if len(value) > REASON_MAX:
        raise InvalidInput({field: [too_long_message(limit=REASON_MAX, length=len(value))]})
    if unstorable_text(value):
        raise InvalidInput({field: [unstorable_text_message()]})
    return value


def portal_message_add(*, grant: AccessGrant, text: str, files: Sequence[IncomingFile] = ()) -> IntakeResult:
    """The customer adds information (text, photos, PDFs) to their case: the intake appends it as a
    customer message on the web channel, files checked by content; a refused file writes nothing."""
    complaint = _granted(grant)
    message = InboundMessage(
        data=IntakeData(channel=Channel.WEB, title="", description=text or "", customer=IntakeCustomer()),
        files=list(files),
        case_number=complaint.number,
    )
    return intake_receive(message=message, actor=portal_actor())


@transaction.atomic
def portal_objection(*, grant: AccessGrant, reason: str):
    """有异议: the customer does not accept the result. Their words go on the timeline as what they said
    on the web (a customer message by the web channel's account), then the escalation ladder records the
    objection and takes the case one level up (escalation.services.complaint_object) as its own system
    account: raising a case is the ladder's act, not a permission a customer channel holds. Both or
    neither."""
    complaint = _granted(grant)
    reason = _reason_clean(reason, field="reason", required=True)
    if not runs_complaint_process(complaint.kind):
        raise InvalidInput({"reason": [_("对答复还有疑问，请在“补充信息”里告诉我们")]})
    if complaint.status not in OBJECTION_STATUSES:
        raise InvalidInput({"reason": [_("收到处理结果后才能提出异议")]})
    event_record(
        complaint=complaint,
        actor=portal_actor(),
        kind=EventKind.CUSTOMER_MESSAGE,
        at=now(),
        field=Channel.WEB,
        new=reason,
        reason=_("客户在网上自助服务中对处理结果提出异议"),
    )
    return complaint_object(number=complaint.number, actor=system_user(SystemUser.ESCALATION), reason=reason)


@transaction.atomic
def portal_withdraw(*, grant: AccessGrant, reason: str = "") -> Complaint:
    """The customer withdraws the complaint (撤诉) while it is open."""
    complaint = _granted(grant)
    reason = _reason_clean(reason, field="reason", required=False)
    if Status.WITHDRAWN not in allowed_targets(complaint.status, complaint.kind):
        raise InvalidInput({"reason": [str(kind_words(complaint.kind)["withdraw_closed"])]})
    why = (
        _("客户在网上自助服务中撤诉")
        if complaint.kind == ContactKind.COMPLAINT
        else _("客户在网上自助服务中撤回")
    )
    actor = portal_actor()
    complaint = complaint_transition(
        number=complaint.number,
        actor=actor,
        to=Status.WITHDRAWN,
        reason=f"{why}：{reason}" if reason else why,
    )
    event_record(
        complaint=complaint,
        actor=actor,
        kind=EventKind.CUSTOMER_WITHDREW,
        at=now(),
        field=Channel.WEB,
        new=reason,
        reason=why,
    )
    return complaint


# --- the customer accepts the result -------------------------------------------------------------------------


def portal_acceptable(*, grant: AccessGrant) -> bool:
    """Whether the case waits for this customer to accept a result told to them (the page offers it)."""
    return resolution_routes(complaint=_granted(grant))["confirm"]


@transaction.atomic
def portal_accept(*, grant: AccessGrant, note: str = "") -> Complaint:
    """The customer accepts the result on the portal (besides objecting or withdrawing): their words go on
    the timeline as said on the web, then the case is resolved as a confirmation through the portal
    (surveys.resolution.result_accept), which starts the follow-up."""
    complaint = _granted(grant)
    note = _reason_clean(note, field="note", required=False)
    complaint = (
        Complaint.objects.select_for_update(of=("self",)).select_related("customer").get(pk=complaint.pk)
    )
    if note:
        event_record(
            complaint=complaint,
            actor=portal_actor(),
            kind=EventKind.CUSTOMER_MESSAGE,
            at=now(),
            field=Channel.WEB,
            new=note,
            reason=_("客户在网上自助服务中接受处理结果"),
        )
    return result_accept(complaint=complaint, via=ConfirmedVia.PORTAL, note=note)
