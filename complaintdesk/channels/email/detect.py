"""Mail that no person wrote: auto-replies (out of office, 自动回复), bounces and delivery reports, read
receipts, bulk mail. They are recorded and set aside, never turned into complaints — answering them
would start a loop with the other side's robot. Pure: a parsed message in, a reason (or "") out.
"""

import re
from email.message import Message

from .mime import address, header

# RFC 3834: anything but "no" means a machine sent it.
_AUTO_SUBMITTED_HEADER = "Auto-Submitted"
# Headers auto-responders add (Exchange, Postfix vacation, cPanel, QQ/163 enterprise mail …).
_AUTO_REPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply", "X-Mail-Autoreply")
_PRECEDENCE_AUTO = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
_DAEMON_LOCALPARTS = {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon", "bounce", "bounces",
                      "noreply-bounce"}  # fmt: skip
_DAEMON_NAMES = re.compile(r"^(mail delivery (system|subsystem)|mail administrator|系统退信|邮件系统)", re.I)
_AUTO_SUBJECTS = re.compile(
    r"^\s*(自动回复|自动答复|自動回覆|自动应答|自動答覆|系统退信|退信|邮件退回|未能送达|无法投递|"
    r"auto(matic)?[\s_-]*(reply|response|answer)|out of (the )?office|abwesenheitsnotiz|"
    r"undeliver(able|ed)|delivery (status notification|failure|has failed)|mail delivery failed|"
    r"returned mail|failure notice|read:|已读[:：])",
    re.I,
)


def automatic_reason(message: Message, *, own_addresses: frozenset[str] = frozenset()) -> str:
    """Why this mail is not a person writing to us ("" when it is)."""
    content_type = message.get_content_type()
    if content_type == "multipart/report":
        report = (message.get_param("report-type") or "").lower()
        return f"delivery report (multipart/report; report-type={report or '?'})"
    sender_name, sender = address(message, "From")
    local = sender.split("@", 1)[0].lower()
    if local in _DAEMON_LOCALPARTS or _DAEMON_NAMES.match(sender_name or ""):
        return f"bounce (sender {sender or sender_name})"
    if message.get("X-Failed-Recipients"):
        return "bounce (X-Failed-Recipients)"
    if sender and sender.lower() in own_addresses:
        return f"sent by our own address {sender}"
    auto_submitted = header(message, _AUTO_SUBMITTED_HEADER).lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return f"auto-reply (Auto-Submitted: {auto_submitted})"
    for name in _AUTO_REPLY_HEADERS:
        if message.get(name) is not None:
            return f"auto-reply ({name})"
    precedence = header(message, "Precedence").lower()
    if precedence in _PRECEDENCE_AUTO:
        return f"auto-reply (Precedence: {precedence})"
    if header(message, "Return-Path").strip() == "<>":
        return "bounce (empty Return-Path)"
    subject = header(message, "Subject")
    if _AUTO_SUBJECTS.match(subject):
        return f"auto-reply (subject {subject[:80]!r})"
    return ""
