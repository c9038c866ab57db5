"""The mail poll: the worker's periodic look at the customer mailbox (channels.email.poller).

Scheduled the way the SLA sweep is (complaintdesk/tasks/sla.py): one task that re-enqueues itself with
`run_after` every MAIL_POLL_INTERVAL_SECONDS, kept to one chain per mailbox by a lease row
(channels.MailboxPoll). Started by `manage.py mail_poll --schedule` when IMAP_URL is set. A pass that
fails (the mail server down) is logged and recorded, and the chain goes on: the next pass retries.
"""

import logging

from django_tasks import task

from complaintdesk.channels.email import poller
from complaintdesk.channels.email.services import (
    mail_poll_interval,
    mail_poll_lease_take,
    mail_poll_result_record,
)
from complaintdesk.common.time import now

from .sla import periodic_sweep_supported

logger = logging.getLogger(__name__)


@task()
def mail_poll(periodic: bool = False) -> dict:
    """One pass over the mailbox; a periodic run then schedules the next one if it holds the lease."""
    config = poller.mailbox_config()
    if config is None:
        return {"skipped": "IMAP_URL is not set"}
    try:
        result = poller.mailbox_poll(config=config).as_dict()
    except Exception as error:  # the server, the network, a password: logged, retried next pass
        logger.exception("mail poll of %s failed", config.name)
        result = {"mailbox": config.name, "error": f"{type(error).__name__}: {error}"[:500]}
    at = now()
    mail_poll_result_record(mailbox=config.name, at=at, result=result)
    if periodic and periodic_sweep_supported() and mail_poll_lease_take(mailbox=config.name, at=at):
        mail_poll.using(run_after=at + mail_poll_interval()).enqueue(periodic=True)
    return result
