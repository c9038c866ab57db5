"""Writes of evidence files: checked by content, stored through Django's storage, recorded on the timeline."""

import hashlib
from typing import IO

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from complaintdesk.common.errors import InvalidInput
from complaintdesk.common.time import now

from . import filetypes
from .access import access_complaint
from .models import Attachment, Channel, EventKind
from .timeline import event_record

NAME_MAX = 255
_CHUNK = 64 * 1024


def attachment_max_bytes() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def _clean_name(name: str, sniffed: filetypes.Sniffed) -> str:
    # Keep what people called it (shown, and offered on download), minus path parts and control characters.
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()[:NAME_MAX]
    return base or f"attachment{sniffed.extension}"


def _digest_and_size(content: IO[bytes], limit: int) -> tuple[str, int, bytes]:
    """SHA-256, size and the first bytes, reading at most limit + 1 bytes."""
    content.seek(0)
    digest, size, head = hashlib.sha256(), 0, b""
    while chunk := content.read(_CHUNK):
        if len(head) < filetypes.SNIFF_BYTES:
            head += chunk[: filetypes.SNIFF_BYTES - len(head)]
        size += len(chunk)
        if size > limit:
            break
        digest.update(chunk)
    content.seek(0)
    return digest.hexdigest(), size, head


def attachment_check(
    *, content: IO[bytes], name: str, declared_type: str = ""
) -> tuple[filetypes.Sniffed, str, int]:
    """The sniffed type, SHA-256 and size of an upload, or InvalidInput on `file` saying why not."""
    limit = attachment_max_bytes()
    sha256, size, head = _digest_and_size(content, limit)
    if size == 0:
        raise InvalidInput({"file": [_("文件是空的")]})
    if size > limit:
        raise InvalidInput({"file": [_("文件超过 %(mb)s MB 的上限") % {"mb": f"{limit / 1024 / 1024:g}"}]})
    sniffed = filetypes.sniff(head)
    if not sniffed.allowed:
        claimed = declared_type or name
        if sniffed.content_type in filetypes.EXECUTABLE_TYPES:
            message = _("文件内容是可执行程序（%(what)s），不是它声称的 %(claimed)s；不接受可执行文件") % {
                "what": sniffed.label,
                "claimed": claimed or _("文件"),
            }
        else:
            message = _("只接受照片（JPEG、PNG、GIF、WebP、HEIC）和 PDF；这个文件的内容是 %(what)s") % {
                "what": sniffed.label
            }
        raise InvalidInput({"file": [message]}, message=_("不接受这个附件"))
    return sniffed, sha256, size


def attachment_add(
    *, number: str, actor, content: IO[bytes], name: str, declared_type: str = "", channel: str = ""
) -> tuple[Attachment, bool]:
    """Attach a file to a case the actor may handle. Returns (attachment, created): the same bytes
    attached again (a channel's retry) return the existing row and write nothing."""
    complaint = access_complaint(user=actor, number=number, permission="handle_complaint")
    if channel and channel not in Channel.values:
        raise InvalidInput(
            {"channel": [_("未知的渠道，可选：%(choices)s") % {"choices": ", ".join(Channel.values)}]}
        )
    sniffed, sha256, size = attachment_check(content=content, name=name, declared_type=declared_type)
    existing = complaint.attachments.filter(sha256=sha256).order_by("id").first()
    if existing is not None:
        return existing, False
    at = now()
    attachment = Attachment(
        complaint=complaint,
        original_name=_clean_name(name, sniffed),
        content_type=sniffed.content_type,
        size=size,
        sha256=sha256,
        channel=channel,
        uploaded_by=actor,
        uploaded_at=at,
    )
    # The bytes are written first; if the row cannot be, the file goes again (no orphan on refusal).
    attachment.file.save("upload", File(content), save=False)
    try:
        with transaction.atomic():
            attachment.save(force_insert=True)
            event_record(
                complaint=complaint,
                actor=actor,
                kind=EventKind.ATTACHMENT_ADDED,
                at=at,
                field=str(attachment.pk),
                new=attachment.original_name,
                reason=f"{sniffed.content_type}, {size} B, sha256 {sha256}",
            )
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment, True
