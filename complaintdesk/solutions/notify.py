"""What staff hear about compensation approvals, through the one staff notifier (`inbox.staff_notify`: a
notice in the workbench and an e-mail, in each person's language, with an absolute link). Called after
the commit with plain values (services._notify_after_commit).

- requested: the approver (or, when nobody holds the level, the holders of its role in the unit) — the
  amount, the case, who asks and by when; the link opens the approvals queue (待审批).
- warning: the same people, when the policy's share of the time to decide has gone (the approval timer).
- approved / rejected / expired: the requester, with the decision and what to do next.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils.translation import gettext_lazy

from complaintdesk.accounts.models import User
from complaintdesk.inbox.services import staff_notify
from complaintdesk.inbox.text import Words

from .models import ApprovalRequest, ApprovalStatus

logger = logging.getLogger(__name__)

APPROVALS_PATH = "/approvals/"
UNIT_APPROVERS_MAX = 20


def _money(amount) -> str:
    return f"{amount:,.2f}"


def _recipients(approval: ApprovalRequest, *, user_ids: list[int], unit_id: int | None, what: str) -> list:
    """The people named; for a request nobody holds, the holders of the approving role in the unit."""
    if user_ids:
        return list(user_ids)
    if what in ("requested", "warning") and unit_id and approval.approver_role:
        return list(
            User.objects.filter(is_active=True, org_unit_id=unit_id, role=approval.approver_role)
            .order_by("pk")
            .values_list("pk", flat=True)[:UNIT_APPROVERS_MAX]
        )
    return []


def _options_lines(approval: ApprovalRequest) -> list[Words]:
    lines = []
    for option in approval.proposal.options.select_related("remedy").order_by("label")[:2]:
        text = Words(
            gettext_lazy("方案%(label)s：%(remedy)s"), {"label": option.label, "remedy": option.remedy.name}
        )
        if option.amount:
            text = Words(
                gettext_lazy("%(option)s %(amount)s 元"), {"option": text, "amount": _money(option.amount)}
            )
        lines.append(text)
    return lines


def approval_notified(
    *,
    approval_id: int,
    complaint_id: int,
    user_ids: list[int],
    unit_id: int | None,
    what: str,
    due_at: dt.datetime | None = None,
) -> None:
    """Tell staff about an approval request: `what` is "requested" (to the approver, or the unit's holders
    of the role when nobody holds the level), "warning" (the time to decide is nearly up), "approved",
    "rejected" or "expired" (to the requester)."""
    try:
        _approval_notify(approval_id=approval_id, user_ids=user_ids, unit_id=unit_id, what=what)
    except Exception:  # the request stands and is on the queue; a lost notice is only logged
        logger.exception("solutions: could not notify staff (%s) of approval %s", what, approval_id)


def _approval_notify(*, approval_id: int, user_ids: list[int], unit_id: int | None, what: str) -> int:
    approval = (
        ApprovalRequest.objects.select_related("complaint", "proposal", "requested_by", "decided_by")
        .filter(pk=approval_id)
        .first()
    )
    if approval is None:
        return 0
    recipients = _recipients(approval, user_ids=user_ids, unit_id=unit_id, what=what)
    if not recipients:
        return 0
    complaint = approval.complaint
    values = {
        "number": complaint.number,
        "amount": _money(approval.amount),
        "title": complaint.title,
        "who": str(approval.requested_by) if approval.requested_by else gettext_lazy("系统"),
        "decider": str(approval.decided_by) if approval.decided_by else gettext_lazy("系统"),
        "due": approval.due_at,
        "level": approval.level_name,
        "reason": approval.decision_reason,
    }
    case_path = f"/complaints/{complaint.number}/#solutions"
    facts = [
        Words(gettext_lazy("投诉单号：%(number)s"), values),
        Words(gettext_lazy("问题：%(title)s"), values),
        Words(gettext_lazy("申请人：%(who)s"), values),
        Words(gettext_lazy("补偿金额：%(amount)s 元"), values),
        *_options_lines(approval),
    ]
    if what in ("requested", "warning"):
        if what == "requested":
            title = Words(gettext_lazy("待您审批：%(number)s 补偿 %(amount)s 元，%(due)s前"), values)
        else:
            title = Words(
                gettext_lazy("审批即将超时：%(number)s 补偿 %(amount)s 元，请在%(due)s前处理"), values
            )
        body = [
            *facts,
            Words(gettext_lazy("申请原因：%(reason)s"), {"reason": approval.reason})
            if approval.reason
            else None,
            Words(gettext_lazy("审批时限：%(due)s（超时未处理将升级到上一层级）"), values),
        ]
        link = APPROVALS_PATH
    elif what == ApprovalStatus.APPROVED:
        title = Words(gettext_lazy("补偿申请已批准：%(number)s %(amount)s 元"), values)
        body = [
            Words(gettext_lazy("审批人：%(decider)s"), values),
            Words(gettext_lazy("审批意见：%(reason)s"), values),
            *facts[:1],
            *_options_lines(approval),
            gettext_lazy("方案已可提供给客户，请告知客户并登记客户的选择。"),
        ]
        link = case_path
    elif what == ApprovalStatus.REJECTED:
        title = Words(gettext_lazy("补偿申请被驳回：%(number)s %(amount)s 元"), values)
        body = [
            Words(gettext_lazy("审批人：%(decider)s"), values),
            Words(gettext_lazy("审批意见：%(reason)s"), values),
            *facts[:1],
            gettext_lazy("请调整方案后重新提出。"),
        ]
        link = case_path
    elif what == ApprovalStatus.EXPIRED:
        following = (
            ApprovalRequest.objects.filter(proposal_id=approval.proposal_id, status=ApprovalStatus.PENDING)
            .exclude(pk=approval.pk)
            .values_list("level_name", flat=True)
            .first()
        )
        title = Words(gettext_lazy("补偿申请审批超时：%(number)s %(amount)s 元"), values)
        body = [
            Words(gettext_lazy("%(level)s未在时限内审批。"), values),
            Words(gettext_lazy("申请已转交%(level)s审批。"), {"level": following})
            if following
            else gettext_lazy("申请已失效，请重新提出方案。"),
            *facts[:1],
        ]
        link = case_path
    else:
        return 0
    rows = staff_notify(
        recipients=recipients,
        kind=f"approval_{what}",
        title=title,
        body=body,
        link=link,
        complaint=complaint,
    )
    return len(rows)
