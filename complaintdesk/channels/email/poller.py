"""One pass over the customer mailbox (IMAP, `imapclient`): every UNSEEN mail is taken in through
`services.email_receive`, then flagged so that it is not offered again.

    taken in (a new case, or appended)     → \\Seen + keyword ComplaintDesk-Taken
    auto-reply / bounce / our own mail     → \\Seen + ComplaintDesk-Ignored   } moved to IMAP_SET_ASIDE_FOLDER
    refused, or failed MAIL_POLL_MAX_ATTEMPTS times → \\Seen + ComplaintDesk-Refused / -Failed } when set
    failed (our error), attempts left      → left unseen: the next pass tries again

Mails are fetched with BODY.PEEK[] (fetching does not mark them seen): a pass that dies half-way leaves
the rest unseen, and a mail taken in whose flag was not set yet is recognised by its Message-ID next
time (InboundEmail), so it is never taken in twice. The why of every decision is in InboundEmail.reason.
"""

import logging
import ssl as ssl_module
from dataclasses import dataclass, field

from django.conf import settings
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from complaintdesk.channels.models import InboundEmailOutcome
from complaintdesk.channels.services import channel_actor
from complaintdesk.complaints.models import Channel

from .services import EmailOutcome, email_receive

logger = logging.getLogger(__name__)

SEEN = b"\\Seen"
KEYWORDS = {
    InboundEmailOutcome.OPENED: b"ComplaintDesk-Taken",
    InboundEmailOutcome.APPENDED: b"ComplaintDesk-Taken",
    InboundEmailOutcome.IGNORED: b"ComplaintDesk-Ignored",
    InboundEmailOutcome.REFUSED: b"ComplaintDesk-Refused",
    InboundEmailOutcome.GAVE_UP: b"ComplaintDesk-Failed",
}
SET_ASIDE = {InboundEmailOutcome.IGNORED, InboundEmailOutcome.REFUSED, InboundEmailOutcome.GAVE_UP}
DEFAULT_BATCH = 50
DEFAULT_MAX_BYTES = 30 * 1024 * 1024


@dataclass(frozen=True)
class MailboxConfig:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    ssl: bool = False
    starttls: bool = False
    timeout: float = 30.0

    @property
    def name(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.folder}"[:200]


def mailbox_config() -> MailboxConfig | None:
    """The mailbox of settings.IMAP (parsed from IMAP_URL), None when mail intake is off."""
    imap = getattr(settings, "IMAP", None) or {}
    if not imap.get("HOST"):
        return None
    return MailboxConfig(host=imap["HOST"], port=int(imap["PORT"]), user=imap.get("USER", ""),
                         password=imap.get("PASSWORD", ""), folder=imap.get("FOLDER") or "INBOX",
                         ssl=bool(imap.get("SSL")), starttls=bool(imap.get("STARTTLS")),
                         timeout=float(imap.get("TIMEOUT", 30)))  # fmt: skip


@dataclass
class PollResult:
    mailbox: str
    unseen: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    numbers: list[str] = field(default_factory=list)  # cases opened or appended to in this pass

    def count(self, outcome: EmailOutcome) -> None:
        self.outcomes[outcome.outcome] = self.outcomes.get(outcome.outcome, 0) + 1
        if outcome.duplicate:
            self.duplicates += 1
        elif outcome.number:
            self.numbers.append(outcome.number)

    def as_dict(self) -> dict:
        return {
            "mailbox": self.mailbox,
            "unseen": self.unseen,
            "outcomes": dict(self.outcomes),
            "duplicates": self.duplicates,
            "numbers": list(self.numbers),
        }


def _connect(config: MailboxConfig) -> IMAPClient:
    context = ssl_module.create_default_context() if (config.ssl or config.starttls) else None
    client = IMAPClient(
        config.host, port=config.port, ssl=config.ssl, ssl_context=context, timeout=config.timeout
    )
    if config.starttls:
        client.starttls(context)
    client.login(config.user, config.password)
    return client


def _flag(client: IMAPClient, uid: int, outcome: EmailOutcome) -> None:
    keyword = KEYWORDS.get(outcome.outcome)
    try:
        client.add_flags([uid], [SEEN, keyword] if keyword else [SEEN])
    except IMAPClientError:  # a server without custom keywords: \Seen is what matters
        client.add_flags([uid], [SEEN])
    folder = getattr(settings, "IMAP_SET_ASIDE_FOLDER", "")
    if folder and outcome.outcome in SET_ASIDE:
        if not client.folder_exists(folder):
            client.create_folder(folder)
        if client.has_capability("MOVE"):
            client.move([uid], folder)
        else:
            client.copy([uid], folder)
            client.delete_messages([uid])
            client.expunge([uid]) if client.has_capability("UIDPLUS") else client.expunge()


def mailbox_poll(*, config: MailboxConfig | None = None, limit: int | None = None) -> PollResult:
    """Take in the mailbox's unseen mails, oldest first, at most `limit` (MAIL_POLL_BATCH) in one pass.
    Raises what the IMAP connection raises (the caller logs it; nothing is half-flagged)."""
    config = config or mailbox_config()
    if config is None:
        raise RuntimeError("IMAP_URL is not set")
    limit = limit or int(getattr(settings, "MAIL_POLL_BATCH", DEFAULT_BATCH) or DEFAULT_BATCH)
    max_bytes = int(getattr(settings, "MAIL_MAX_BYTES", DEFAULT_MAX_BYTES) or DEFAULT_MAX_BYTES)
    result = PollResult(mailbox=config.name)
    actor = channel_actor(channel=Channel.EMAIL)
    client = _connect(config)
    try:
        client.select_folder(config.folder)
        uids = sorted(client.search(["UNSEEN"]))
        result.unseen = len(uids)
        for uid in uids[:limit]:
            sizes = client.fetch([uid], ["RFC822.SIZE"])
            size = int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))
            if size > max_bytes:
                headers = client.fetch([uid], ["BODY.PEEK[HEADER]"]).get(uid, {}).get(b"BODY[HEADER]", b"")
                outcome = email_receive(raw=headers, actor=actor, too_large=size)
            else:
                raw = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {}).get(b"BODY[]")
                if raw is None:  # expunged by someone else meanwhile
                    continue
                outcome = email_receive(raw=raw, actor=actor)
            result.count(outcome)
            if outcome.final:
                _flag(client, uid, outcome)
            logger.info(
                "mail uid %s: %s %s %s",
                uid,
                outcome.outcome,
                outcome.number,
                "(again)" if outcome.duplicate else "",
            )
    finally:
        try:
            client.logout()
        except (IMAPClientError, OSError):
            pass
    return result
