"""The mail poll: the worker's periodic look at the customer mailbox (channels.email.poller), a periodic
job of `tasks.periodic` every MAIL_POLL_INTERVAL_SECONDS, on only when IMAP_URL is set. A pass that fails
(the mail server down) is logged and recorded by the registry, and the chain goes on: the next pass
retries. `manage.py mail_poll` runs one pass by hand (or `--loop`)."""

from django.utils.translation import gettext_lazy as _

from complaintdesk.tasks.periodic import periodic

from . import poller
from .services import mail_poll_interval

MAIL_POLL_JOB = "mail-poll"


def mail_poll_enabled() -> bool:
    return poller.mailbox_config() is not None


@periodic(MAIL_POLL_JOB, label=_("收取客户邮件"), every=mail_poll_interval, enabled=mail_poll_enabled)
def mail_poll() -> dict:
    """One pass over the mailbox of IMAP_URL: new complaints and replies to cases."""
    config = poller.mailbox_config()
    if config is None:
        return {"skipped": "IMAP_URL is not set"}
    return poller.mailbox_poll(config=config).as_dict()
