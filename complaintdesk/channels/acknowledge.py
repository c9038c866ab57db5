"""The acknowledgement to the customer after intake (SPEC §2 step 1): case number, the steps that
follow, the deadline, and how they will hear back.

This module builds it; sending it is the notifications app's. The seam:

    complaint_acknowledge(complaint_id)       ← the task `channels.tasks.acknowledge_complaint` calls it
        acknowledgement_build(complaint)      → Acknowledgement (plain values, local times)
        every registered sender(ack)          ← notifications registers one in its AppConfig.ready():
                                                 acknowledgement_sender_register(notifier_function)

With no sender registered the acknowledgement is logged and the outcome says `no_sender`. A sender
that raises makes the task fail, so the queue's retry applies; senders must be idempotent per case
(the notification log is the natural place to check "already sent").
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from complaintdesk.common.time import to_local
from complaintdesk.complaints.customers import case_contact, case_contact_name, case_preferred_channel
from complaintdesk.complaints.models import Complaint, ContactChannel
from complaintdesk.complaints.states import ContactKind
from complaintdesk.scripts.services import case_deadline_text
from complaintdesk.tasks.intake import after_intake_settled

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Acknowledgement:
    complaint_id: int
    number: str
    language: str
    intake_channel: str  # where the complaint came in
    reply_channel: str  # where the customer wants to hear back (Customer.preferred_channel)
    customer_name: str
    customer_title: str  # 先生 / 女士 / ""
    phone: str  # E.164, "" when unknown
    email: str
    wechat_openid: str
    title: str
    first_response_due_at: dt.datetime | None  # local (organisation's zone)
    resolution_due_at: dt.datetime | None
    deadline_provisional: bool
    next_steps: list[str] = field(default_factory=list)
    text: str = ""  # the whole message in the customer's language, for SMS / passive replies / pages


AcknowledgementSender = Callable[[Acknowledgement], object]
_senders: list[AcknowledgementSender] = []


def acknowledgement_sender_register(sender: AcknowledgementSender) -> None:
    if sender not in _senders:
        _senders.append(sender)


def acknowledgement_sender_unregister(sender: AcknowledgementSender) -> None:
    if sender in _senders:
        _senders.remove(sender)


@dataclass(frozen=True)
class AcknowledgementOutcome:
    status: str  # "sent", "no_sender", "missing" (no such complaint)
    acknowledgement: Acknowledgement | None = None
    results: list = field(default_factory=list)


def _when(complaint: Complaint, value: dt.datetime | None, language: str) -> str:
    """A promised time as every other message to the customer says it ("12月7日（周一）22:30", on the unit's
    business hours): scripts.services.case_deadline_text. "" when there is none or it is already past."""
    return case_deadline_text(complaint=complaint, at=value, language=language) if value else ""


def _kind_opening(kind: str) -> str:
    """The acknowledgement's sentence for the contact type (an inquiry is never "您的投诉已登记")."""
    if kind == ContactKind.INQUIRY:
        return _("%(name)s，您的咨询已登记，单号 %(number)s。%(steps)s 如需查询进度，请提供单号。")
    if kind == ContactKind.SUGGESTION:
        return _("%(name)s，感谢您的建议，单号 %(number)s。%(steps)s")
    if kind == ContactKind.PRAISE:
        return _("%(name)s，感谢您的表扬，单号 %(number)s。%(steps)s")
    return _("%(name)s，您的投诉已登记，投诉单号 %(number)s。%(steps)s 如需查询进度，请提供投诉单号。")


def _kind_steps(complaint: Complaint, first_due: dt.datetime | None, language: str) -> list[str]:
    if complaint.kind == ContactKind.INQUIRY:
        if when := _when(complaint, first_due, language):
            return [_("我们会在 %(when)s 前答复您。") % {"when": when}]
        return [_("我们会尽快答复您。")]
    if complaint.kind == ContactKind.SUGGESTION:
        return [_("您的建议将转交负责的部门研究，如有采纳我们会告诉您。")]
    return [_("我们会把您的肯定转达给受表扬的同事和团队。")]


def acknowledgement_build(complaint: Complaint) -> Acknowledgement:
    customer = complaint.customer
    first_due = to_local(complaint.first_response_due_at) if complaint.first_response_due_at else None
    resolution_due = to_local(complaint.resolution_due_at) if complaint.resolution_due_at else None
    language = complaint.language if complaint.language in {"zh-hans", "en"} else "zh-hans"
    with translation.override(language):
        # A case recorded after it arrived may be past its first-contact time already: never promise that.
        first_when = _when(complaint, first_due, language)
        resolution_when = _when(complaint, resolution_due, language)
        channel = ContactChannel(case_preferred_channel(complaint)).label
        steps = [
            _("我们会在 %(when)s 前与您联系，了解详细情况。") % {"when": first_when}
            if first_when
            else _("我们会尽快与您联系，了解详细情况。"),
            _("我们将分析原因，并向您提出解决方案。"),
            _("我们将在 %(when)s 前通过%(channel)s告诉您处理结果。")
            % {"when": resolution_when, "channel": channel}
            if resolution_when
            else _("我们会尽快通过%(channel)s告诉您处理结果。") % {"channel": channel},
        ]
        if not after_intake_settled(complaint.pk):
            # Said at once (the portal's page, the agent on the phone), before the automatic analysis may
            # move these times; the acknowledgement sent after it states them as they then stand.
            steps.append(_("以上为初步时限；如有调整，我们会另行告诉您。"))
        name = case_contact_name(complaint)
        addressed = name if name else _("您好")
        if complaint.kind != ContactKind.COMPLAINT:
            steps = _kind_steps(complaint, first_due, language)
        text = _kind_opening(complaint.kind) % {
            "name": addressed,
            "number": complaint.number,
            "steps": "".join(steps),
        }
        if complaint.deadline_provisional:
            text += _("（该年度节假日安排尚未公布，时限为暂定）")
    return Acknowledgement(
        complaint_id=complaint.pk,
        number=complaint.number,
        language=language,
        intake_channel=complaint.channel,
        reply_channel=case_preferred_channel(complaint),
        customer_name=case_contact_name(complaint),
        customer_title=customer.get_title_display() if customer.title and name == customer.name else "",
        phone=case_contact(complaint, "phone"),
        email=case_contact(complaint, "email"),
        wechat_openid=case_contact(complaint, "wechat_openid"),
        title=complaint.title,
        first_response_due_at=first_due,
        resolution_due_at=resolution_due,
        deadline_provisional=complaint.deadline_provisional,
        next_steps=steps,
        text=text,
    )


def case_form_name(kind: str) -> str:
    """What the customer calls the case of a contact of `kind` in a sentence ("已补充到咨询单 …")."""
    if kind == ContactKind.INQUIRY:
        return _("咨询单")
    if kind == ContactKind.SUGGESTION:
        return _("建议单")
    if kind == ContactKind.PRAISE:
        return _("表扬单")
    return pgettext("case form in a sentence", "投诉单")


def _receipt_of_kind(kind: str) -> str:
    """The receipt's sentence for a contact that is not a complaint (no "您的投诉已登记" for a question)."""
    if kind == ContactKind.INQUIRY:
        return _(
            "%(name)s，您的咨询已登记，单号 %(number)s。稍后我们会通过%(channel)s答复您。如需查询进度，请提供单号。"
        )
    if kind == ContactKind.SUGGESTION:
        return _(
            "%(name)s，感谢您的建议，单号 %(number)s。我们会转交负责的部门研究，如有采纳会通过%(channel)s告诉您。"
        )
    return _("%(name)s，感谢您的表扬，单号 %(number)s。我们会把您的肯定转达给受表扬的同事和团队。")


def receipt_text(complaint: Complaint) -> str:
    """What a channel that answers at once (a WeChat passive reply) says when a case is opened: it is
    registered, its number, and that the acknowledgement follows. It quotes no time: the deadlines are set
    again by the automatic analysis a moment later, and the acknowledgement sent after it
    (`complaint_acknowledge`) is what promises them, so nothing said here can be contradicted."""
    language = complaint.language if complaint.language in {"zh-hans", "en"} else "zh-hans"
    with translation.override(language):
        name = case_contact_name(complaint)
        if complaint.kind != ContactKind.COMPLAINT:
            return _receipt_of_kind(complaint.kind) % {
                "name": name if name else _("您好"),
                "number": complaint.number,
                "channel": ContactChannel(case_preferred_channel(complaint)).label,
            }
        return _(
            "%(name)s，您的投诉已登记，投诉单号 %(number)s。稍后我们会通过%(channel)s告诉您接下来的处理安排，"
            "包括何时与您联系、何时告知处理结果。如需查询进度，请提供投诉单号。"
        ) % {
            "name": name if name else _("您好"),
            "number": complaint.number,
            "channel": ContactChannel(case_preferred_channel(complaint)).label,
        }


def complaint_acknowledge(complaint_id: int) -> AcknowledgementOutcome:
    """Build the acknowledgement of a stored complaint and hand it to every registered sender."""
    complaint = Complaint.objects.select_related("customer").filter(pk=complaint_id).first()
    if complaint is None:
        logger.warning("complaint_acknowledge: no complaint %s", complaint_id)
        return AcknowledgementOutcome(status="missing")
    ack = acknowledgement_build(complaint)
    if not _senders:
        logger.info("acknowledgement of %s not sent (no notifier registered): %s", ack.number, ack.text)
        return AcknowledgementOutcome(status="no_sender", acknowledgement=ack)
    results = [sender(ack) for sender in list(_senders)]
    return AcknowledgementOutcome(status="sent", acknowledgement=ack, results=results)
