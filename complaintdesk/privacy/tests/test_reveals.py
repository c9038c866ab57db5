"""A masked contact detail shown in full (privacy.reveals): an agent gives a reason, and the reveal is on the
case's timeline and in the access log; a role that sees personal data needs no reason and is logged; a
refusal writes nothing."""

import pytest

from complaintdesk.common.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.complaints.services import IntakeCustomer
from complaintdesk.privacy.models import AccessKind, AccessLog
from complaintdesk.privacy.reveals import customer_contact_reveal
from complaintdesk.testing import intake

pytestmark = pytest.mark.django_db


def _nothing_written(events: int) -> None:
    assert not AccessLog.objects.exists()
    assert not ComplaintEvent.objects.filter(kind=EventKind.PERSONAL_DATA_REVEALED).exists()
    assert ComplaintEvent.objects.count() == events


def test_an_agent_sees_the_phone_with_a_reason_on_the_timeline_and_in_the_log(org):
    case = intake(org.agent_a)
    revealed = customer_contact_reveal(
        number=case.number, actor=org.agent_a, field="phone", reason=" 回电核实 "
    )
    assert (revealed.field, revealed.value) == ("phone", "+8613800138000")
    event = case.events.get(kind=EventKind.PERSONAL_DATA_REVEALED)
    assert (event.actor, event.field, event.reason) == (org.agent_a, "phone", "回电核实")
    row = AccessLog.objects.get()
    assert (row.user, row.kind, row.field, row.complaint, row.reason) == (
        org.agent_a,
        AccessKind.REVEAL,
        "phone",
        case,
        "回电核实",
    )


def test_a_role_that_sees_personal_data_needs_no_reason_and_is_logged(org):
    case = intake(
        org.agent_a, customer=IntakeCustomer(name="王女士", phone="13800138000", account_no="ACC-1")
    )
    revealed = customer_contact_reveal(number=case.number, actor=org.manager, field="account_no")
    assert revealed.value == "ACC-1"
    assert not case.events.filter(kind=EventKind.PERSONAL_DATA_REVEALED).exists()
    row = AccessLog.objects.get()
    assert (row.user, row.kind, row.field, row.reason) == (org.manager, AccessKind.REVEAL, "account_no", "")


@pytest.mark.parametrize(
    ("field", "reason", "named"),
    [
        ("phone", "", "reason"),
        ("phone", " 查 ", "reason"),  # one character once trimmed
        ("email", "回邮件", "field"),  # the customer left no e-mail
        ("wechat_openid", "回电核实", "field"),  # not a detail that can be revealed
    ],
)
def test_a_reveal_without_a_reason_or_of_a_detail_there_is_not_is_refused(org, field, reason, named):
    case = intake(org.agent_a)
    events = ComplaintEvent.objects.count()
    with pytest.raises(InvalidInput) as refused:
        customer_contact_reveal(number=case.number, actor=org.agent_a, field=field, reason=reason)
    assert named in refused.value.fields
    _nothing_written(events)


def test_another_stores_agent_and_a_reader_without_handling_see_nothing(org):
    case = intake(org.agent_a)
    events = ComplaintEvent.objects.count()
    with pytest.raises(NotFound):
        customer_contact_reveal(number=case.number, actor=org.agent_b, reason="回电核实")
    with pytest.raises(PermissionDenied):
        customer_contact_reveal(number=case.number, actor=org.inspector, reason="回电核实")
    _nothing_written(events)
