"""Taking one mail in: `email_receive(raw=…, actor=…)` decides, stores, and says what the mailbox should do.

    a mail seen before (same Message-ID)      → nothing new; the poller flags it as before
    an auto-reply, bounce, our own mail       → recorded as ignored (with the rule that caught it)
    a reply naming a case of this sender      → a customer message on that case (+ its files)
    anything else from a person               → a new complaint (+ its files), acknowledged by mail
    unreadable (no sender, nothing in it)     → recorded as refused, with why
    an error of ours (database, storage)      → rolled back, recorded as failed; retried by the next
                                                poll up to MAIL_POLL_MAX_ATTEMPTS times, then given up

A file that is not evidence (an executable calling itself PDF, an archive) does not refuse the mail:
what the customer wrote is taken in, the file is left out, and an internal note on the case says
which file and why (the original mail, file included, stays in InboundEmail.raw).

The complaint, its files, the notes, the ReceivedMessage claim (channels.intake.intake_receive_once)
and the InboundEmail row are written in one transaction: a mail is either fully taken in or not at all.
"""

import datetime as dt
import hashlib
import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from complaintdesk.channels.intake import FILES_MAX, intake_receive_once
from complaintdesk.channels.models import InboundEmail, InboundEmailOutcome
from complaintdesk.common.errors import DomainError, InvalidInput
from complaintdesk.common.time import now
from complaintdesk.complaints.access import access_complaint
from complaintdesk.complaints.attachments import attachment_check
from complaintdesk.complaints.customers import case_contact_is_known
from complaintdesk.complaints.services import complaint_add_note

from .adapter import EmailChannelAdapter, ReadMail
from .selectors import case_number_by_references

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 3
FINAL = frozenset({InboundEmailOutcome.OPENED, InboundEmailOutcome.APPENDED, InboundEmailOutcome.IGNORED,
                   InboundEmailOutcome.REFUSED, InboundEmailOutcome.GAVE_UP})  # fmt: skip


def max_attempts() -> int:
    return int(getattr(settings, "MAIL_POLL_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS) or DEFAULT_MAX_ATTEMPTS)


@dataclass(frozen=True)
class EmailOutcome:
    outcome: str  # InboundEmailOutcome
    reason: str = ""
    complaint_id: int | None = None
    number: str = ""
    duplicate: bool = False  # this mail was taken before; nothing new was written

    @property
    def final(self) -> bool:
        """The mailbox may stop offering it (flag it seen); False: leave it for the next poll."""
        return self.outcome in FINAL


def _external_id(raw: bytes, read: ReadMail | None) -> str:
    return read.message.external_id if read is not None else "sha256:" + hashlib.sha256(raw).hexdigest()


def _case_for_reply(*, read: ReadMail, actor, notes: list[str]) -> str:
    """The case this mail continues, "" for none. A case is named by the subject's tag, else found by the
    mails it answers (our acknowledgement's Message-ID, the customer's earlier mail). Only a mail from
    the case's own customer address is appended: anyone can type a case number into a subject."""
    number = read.message.case_number
    if not number and read.references:
        number = case_number_by_references(read.references)
    if not number:
        return ""
    try:
        complaint = access_complaint(user=actor, number=number)
    except DomainError:
        notes.append(f"case {number} named in the mail does not exist: opened as a new complaint")
        return ""
    if not case_contact_is_known(complaint, field="email", value=read.sender):
        notes.append(
            f"case {number} named by {read.sender}, who is not its customer: opened as a new complaint"
        )
        return ""
    return complaint.number


def _files_sort(read: ReadMail, notes: list[str]) -> tuple[list, list[tuple[str, str]]]:
    """(files intake will take, [(name, why not)]): a file that is not evidence is left out, not the mail."""
    kept, dropped = [], []
    for incoming in read.message.files:
        name = incoming.name or incoming.declared_type
        if len(kept) >= FILES_MAX:
            dropped.append((name, _("一封邮件最多保存 %(n)d 个附件") % {"n": FILES_MAX}))
            continue
        try:
            attachment_check(
                content=io.BytesIO(incoming.content), name=incoming.name, declared_type=incoming.declared_type
            )
        except InvalidInput as error:
            dropped.append((name, "；".join(error.fields.get("file", [error.message]))))
            continue
        kept.append(incoming)
    for name, why in dropped:
        notes.append(f"attachment {name!r} left out: {why}")
    return kept, dropped


def _record(
    *,
    external_id: str,
    raw: bytes,
    read: ReadMail | None,
    outcome: str,
    reason: str,
    complaint=None,
    at,
    written: list[str],
) -> InboundEmail:
    """Create or update the mail's row; the original is written to storage with the first row (its
    name added to `written`, so that the caller removes it again if the transaction does not commit)."""
    row = InboundEmail.objects.select_for_update().filter(external_id=external_id).first()
    if row is None:
        row = InboundEmail(
            external_id=external_id,
            polled_at=at,
            sha256=hashlib.sha256(raw).hexdigest(),
            size=len(raw),
            attempts=0,
        )
        row.raw.save("mail.eml", ContentFile(raw), save=False)
        written.append(row.raw.name)
    row.sender = (read.sender if read else "")[:254]
    row.subject = (read.subject if read else "")[:500]
    row.sent_at = read.sent_at if read else None
    row.outcome, row.reason, row.complaint = outcome, reason[:5000], complaint
    row.attempts += 1
    row.polled_at = at
    row.save()
    return row


def _files_remove(names: list[str]) -> None:
    storage = InboundEmail._meta.get_field("raw").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("could not remove %s", name, exc_info=True)


def _record_safely(**kwargs) -> InboundEmail:
    """`_record` in its own transaction; the file written is removed again if the row is not."""
    for attempt in range(2):
        written: list[str] = []
        try:
            with transaction.atomic():
                return _record(**kwargs, written=written)
        except IntegrityError:  # another poller recorded this mail at the same moment: update theirs
            _files_remove(written)
            if attempt:
                raise
        except Exception:
            _files_remove(written)
            raise
    raise AssertionError("unreachable")


def _as_before(row: InboundEmail) -> EmailOutcome:
    number = row.complaint.number if row.complaint_id else ""
    return EmailOutcome(outcome=row.outcome, reason=row.reason, complaint_id=row.complaint_id, number=number,
                        duplicate=True)  # fmt: skip


def _set_aside(*, outcome: str, reason: str, **record) -> EmailOutcome:
    """Record a mail that opens nothing (ignored, refused, failed) and say so."""
    _record_safely(outcome=outcome, reason=reason, **record)
    return EmailOutcome(outcome=outcome, reason=reason)


def email_receive(*, raw: bytes, actor, too_large: int = 0) -> EmailOutcome:
    """Take one raw mail in (see the module docstring). Never raises for what the mail contains.
    `too_large`: the mail's size when the poller fetched only its headers because it is over
    MAIL_MAX_BYTES; it is refused and recorded with those headers."""
    at = now()
    try:
        read = EmailChannelAdapter().read(raw)
    except Exception as error:  # the stdlib parser is lenient; this is for what it still cannot read
        logger.exception("unreadable mail")
        return _set_aside(outcome=InboundEmailOutcome.REFUSED, reason=f"unreadable: {type(error).__name__}: {error}",
                          external_id=_external_id(raw, None), raw=raw, read=None, at=at)  # fmt: skip
    external_id = _external_id(raw, read)
    record = {"external_id": external_id, "raw": raw, "read": read, "at": at}
    seen = InboundEmail.objects.select_related("complaint").filter(external_id=external_id).first()
    if seen is not None and seen.outcome in FINAL:
        return _as_before(seen)
    if too_large:
        reason = f"mail of {too_large} bytes is over MAIL_MAX_BYTES: refused; only its headers are kept"
        return _set_aside(outcome=InboundEmailOutcome.REFUSED, reason=reason, **record)
    if read.automatic:
        return _set_aside(outcome=InboundEmailOutcome.IGNORED, reason=read.automatic, **record)

    notes = list(read.notes)
    try:
        return _take_in(raw=raw, read=read, actor=actor, external_id=external_id, notes=notes, at=at)
    except InvalidInput as error:
        fields = [f"{name}: {' '.join(map(str, messages))}" for name, messages in error.fields.items()]
        return _set_aside(outcome=InboundEmailOutcome.REFUSED, reason="; ".join([error.message, *fields, *notes]),
                          **record)  # fmt: skip
    except Exception as error:  # ours: the database, the storage … — retried by the next poll
        done = InboundEmail.objects.filter(external_id=external_id, outcome__in=FINAL).first()
        if done is not None:  # another poller took the same mail in meanwhile: not a failure
            return _as_before(done)
        logger.exception("mail %s could not be taken in", external_id)
        attempts_before = seen.attempts if seen is not None else 0
        gave_up = attempts_before + 1 >= max_attempts()
        outcome = InboundEmailOutcome.GAVE_UP if gave_up else InboundEmailOutcome.FAILED
        reason = f"{type(error).__name__}: {error}"
        try:
            return _set_aside(outcome=outcome, reason=reason, **record)
        except Exception:  # the database itself is gone: the mail stays unseen and is retried
            logger.exception("could not record the failure of mail %s", external_id)
            return EmailOutcome(outcome=InboundEmailOutcome.FAILED, reason=reason)


def _take_in(*, raw: bytes, read: ReadMail, actor, external_id: str, notes: list[str], at) -> EmailOutcome:
    if not read.sender:
        raise InvalidInput({"from": [_("邮件没有发件人地址，无法回复客户")]})
    message = read.message
    message.files, dropped = _files_sort(read, notes)
    written: list[str] = []
    try:
        with transaction.atomic():
            message.case_number = _case_for_reply(read=read, actor=actor, notes=notes)
            if message.case_number and read.reply_subject:
                # "Re: <our subject>" says nothing the case does not: only what they wrote is appended.
                message.data.title = ""
            result = intake_receive_once(message=message, actor=actor)
            complaint = result.complaint
            if result.duplicate:  # another poller took it in while we read it: its row says how
                done = InboundEmail.objects.filter(external_id=external_id, outcome__in=FINAL).first()
                if done is not None:
                    return _as_before(done)
            else:
                for name, why in dropped:
                    complaint_add_note(
                        number=complaint.number,
                        actor=actor,
                        text=_("邮件附件“%(name)s”未保存：%(why)s（原邮件已留存）")
                        % {"name": name, "why": why},
                    )
            outcome = InboundEmailOutcome.OPENED if result.created else InboundEmailOutcome.APPENDED
            _record(
                external_id=external_id,
                raw=raw,
                read=read,
                outcome=outcome,
                reason="\n".join(notes),
                complaint=complaint,
                at=at,
                written=written,
            )
    except Exception:
        _files_remove(written)
        raise
    return EmailOutcome(
        outcome=outcome,
        reason="\n".join(notes),
        complaint_id=complaint.pk,
        number=complaint.number,
        duplicate=result.duplicate,
    )


# --- the periodic poll (channels/email/tasks.py) ---------------------------------------------------------


def mail_poll_interval() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "MAIL_POLL_INTERVAL_SECONDS", 60) or 60))
