"""The mails that came in about an anonymised case, without personal data (个人信息保护法; `docs/privacy.md`):
registered with `common.anonymisation.case_anonymise_step_register` in `ChannelsConfig.ready()`, run by the
privacy retention job inside the expired case's transaction.

The sender, subject and note are redacted and the original (.eml, the whole mail with its attachments) is
deleted: its file from storage after the commit. Kept: the Message-ID, when it was sent and polled, what
became of it, its size and SHA-256. WeChat and the other channels keep no message text of their own (the
message is the case's description and its timeline, redacted by the job); their `ReceivedMessage` rows
hold the channel's message id only."""

import logging
from collections.abc import Callable

from django.core.files.storage import default_storage
from django.db import transaction

from complaintdesk.common.anonymisation import rows_redact
from complaintdesk.complaints.models import Complaint

from .models import InboundEmail

logger = logging.getLogger(__name__)

TEXTS = ("sender", "subject", "reason")


def inbound_mail_anonymise(*, complaint: Complaint, redact: Callable[[str], str], **_context) -> int:
    """Returns how many mails changed; a second run changes none."""
    mails = list(InboundEmail.objects.filter(complaint=complaint).only("pk", "raw", *TEXTS))
    changed = rows_redact(mails, TEXTS, redact)
    files = [mail.raw.name for mail in mails if mail.raw.name]
    if files:
        InboundEmail.objects.filter(pk__in=[mail.pk for mail in mails]).update(raw="")
        transaction.on_commit(lambda names=tuple(files): _files_delete(names))
        changed += len(files)
    return changed


def _files_delete(names: tuple[str, ...]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # the row no longer points at it: an orphan file, not personal data in a record
            logger.warning("channels: could not delete the original mail %s", name)
