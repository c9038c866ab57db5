"""Contact types (issue 19): inquiries, suggestions and praise beside complaints — their lifecycles, their
clocks, turning one kind into another with its history, routing a suggestion and crediting praise."""

import pytest

from complaintdesk.common.errors import InvalidInput, PermissionDenied
from complaintdesk.complaints.contacts import complaint_kind_change, praise_credit, suggestion_route
from complaintdesk.complaints.event_text import events_for_people
from complaintdesk.complaints.models import Complaint, ComplaintEvent, EventKind
from complaintdesk.complaints.selectors import ComplaintFilters, complaint_page
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.complaints.states import (
    TRANSITIONS,
    TRANSITIONS_BY_KIND,
    ContactKind,
    Status,
    allowed_targets,
    check_transition,
    status_label,
)
from complaintdesk.testing import intake

# --- the tables (pure) -------------------------------------------------------------------------------------


def test_every_kind_has_a_table_and_complaints_keep_theirs():
    assert set(TRANSITIONS_BY_KIND) == set(ContactKind)
    assert TRANSITIONS_BY_KIND[ContactKind.COMPLAINT] is TRANSITIONS
    for table in TRANSITIONS_BY_KIND.values():
        for targets in table.values():
            assert set(targets) <= set(table), "every target of a kind is a state of that kind"


def test_an_inquiry_answered_at_first_contact_closes_and_never_escalates():
    rule = check_transition(Status.NEW, Status.CLOSED, ContactKind.INQUIRY)
    assert rule.reason_required and rule.permission == "handle_complaint"
    for kind in (ContactKind.INQUIRY, ContactKind.SUGGESTION, ContactKind.PRAISE):
        assert not any(Status.ESCALATED in allowed_targets(s, kind) for s in TRANSITIONS_BY_KIND[kind])
    # A complaint still cannot be closed straight from new.
    assert Status.CLOSED not in allowed_targets(Status.NEW, ContactKind.COMPLAINT)


def test_statuses_are_said_in_the_words_of_the_kind():
    assert status_label(Status.CLOSED, ContactKind.INQUIRY) == "已答复"
    assert status_label(Status.CLOSED, ContactKind.PRAISE) == "已记入表扬"
    assert status_label(Status.HANDLING, ContactKind.SUGGESTION) == "已转负责部门"
    assert status_label(Status.CLOSED, ContactKind.COMPLAINT) == "已归档"


# --- intake and the light lifecycles ------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_inquiry_is_taken_in_answered_on_the_call_and_closed_without_a_summary(org):
    inquiry = intake(org.agent_a, kind=ContactKind.INQUIRY, title="咨询套餐资费", demand="")
    assert inquiry.kind == ContactKind.INQUIRY and inquiry.number.startswith("TS")
    # Its clocks: first response and resolution; no acknowledgement clock.
    assert inquiry.first_response_due_at and inquiry.resolution_due_at and inquiry.acknowledge_due_at is None
    with pytest.raises(InvalidInput) as refused:
        complaint_transition(number=inquiry.number, actor=org.agent_a, to=Status.CLOSED)
    assert "reason" in refused.value.fields
    complaint_transition(
        number=inquiry.number, actor=org.agent_a, to=Status.CLOSED, reason="已告知 300M 套餐月费 99 元"
    )
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.is_open, inquiry.due_at) == (Status.CLOSED, False, None)
    assert inquiry.first_responded_at is not None and inquiry.closed_at is not None
    lines = events_for_people(inquiry.events.all())
    assert lines[0].reason == "通过电话登记（咨询）（记录人：agent_a）"
    closed = next(x for x in lines if x.event.kind == EventKind.TRANSITION)
    assert (closed.old, closed.new, closed.reason) == ("待受理", "已答复", "已告知 300M 套餐月费 99 元")


@pytest.mark.django_db
def test_a_bad_kind_is_refused_in_words_before_anything_is_written(org):
    with pytest.raises(InvalidInput) as refused:
        intake(org.agent_a, kind="rumour")
    assert "kind" in refused.value.fields
    assert "inquiry" in refused.value.fields["kind"][0]  # the allowed values, for the integrator
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_a_suggestion_is_acknowledged_routed_to_its_owner_and_closed(org):
    suggestion = intake(org.agent_a, kind=ContactKind.SUGGESTION, title="建议账单可导出 Excel", demand="")
    assert suggestion.resolution_due_at is None and suggestion.acknowledge_due_at is not None
    complaint_transition(number=suggestion.number, actor=org.agent_a, to=Status.ACCEPTED)
    with pytest.raises(InvalidInput) as refused:  # not "with its owner" before it has one
        complaint_transition(number=suggestion.number, actor=org.agent_a, to=Status.HANDLING)
    assert "owner_unit" in refused.value.fields
    with pytest.raises(InvalidInput):
        suggestion_route(number=suggestion.number, actor=org.agent_a, unit_code="NOPE")
    suggestion_route(
        number=suggestion.number, actor=org.agent_a, unit_code="BILL", reason="计费部负责账单功能"
    )
    suggestion.refresh_from_db()
    assert (suggestion.owner_unit, suggestion.status) == (org.billing, Status.HANDLING)
    routed = suggestion.events.get(kind=EventKind.ROUTED)
    assert (routed.field, routed.new_value) == ("owner_unit", "计费部")
    complaint_transition(
        number=suggestion.number, actor=org.agent_a, to=Status.CLOSED, reason="已列入版本计划"
    )
    suggestion.refresh_from_db()
    assert suggestion.status == Status.CLOSED


@pytest.mark.django_db
def test_praise_is_credited_to_the_person_praised_before_it_closes(org):
    praise = intake(org.agent_a, kind=ContactKind.PRAISE, title="表扬营业员耐心", demand="")
    assert praise.due_at is None and praise.first_response_due_at is None  # praise runs no clock
    with pytest.raises(InvalidInput) as refused:
        complaint_transition(number=praise.number, actor=org.agent_a, to=Status.CLOSED, reason="已转达")
    assert "credited" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        praise_credit(number=praise.number, actor=org.agent_a)
    assert "credited_user" in refused.value.fields
    praise_credit(number=praise.number, actor=org.agent_a, username="agent_b", note="客户点名表扬")
    praise.refresh_from_db()
    # The person and, unless told otherwise, their unit share the praise.
    assert (praise.credited_user, praise.credited_unit) == (org.agent_b, org.store_b)
    assert set(praise.events.filter(kind=EventKind.CREDITED).values_list("field", flat=True)) == {
        "credited_user",
        "credited_unit",
    }
    complaint_transition(number=praise.number, actor=org.agent_a, to=Status.CLOSED, reason="已转达表扬")
    praise.refresh_from_db()
    assert praise.status == Status.CLOSED


@pytest.mark.django_db
def test_routing_and_crediting_are_for_their_own_kind(org):
    complaint = intake(org.agent_a)
    with pytest.raises(InvalidInput):
        suggestion_route(number=complaint.number, actor=org.agent_a, unit_code="BILL")
    with pytest.raises(InvalidInput):
        praise_credit(number=complaint.number, actor=org.agent_a, username="agent_a")


# --- turning one kind into another -------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_inquiry_turned_into_a_complaint_keeps_its_number_and_history_and_gets_complaint_clocks(org):
    inquiry = intake(org.agent_a, kind=ContactKind.INQUIRY, demand="")
    complaint_transition(number=inquiry.number, actor=org.agent_a, to=Status.HANDLING)
    complaint_kind_change(number=inquiry.number, actor=org.agent_a, to=ContactKind.COMPLAINT)
    turned = type(inquiry).objects.get(pk=inquiry.pk)
    assert (turned.number, turned.kind, turned.status) == (
        inquiry.number,
        ContactKind.COMPLAINT,
        Status.HANDLING,
    )
    assert turned.acknowledge_due_at is not None  # a complaint's acknowledgement clock now runs
    kinds = list(turned.events.values_list("kind", flat=True))
    assert kinds[0] == EventKind.CREATED and EventKind.KIND_CHANGED in kinds
    line = next(x for x in events_for_people(turned.events.all()) if x.event.kind == EventKind.KIND_CHANGED)
    assert (line.kind, line.what, line.old, line.new) == ("变更联系类型", "联系类型", "咨询", "投诉")
    # Now it runs the complaint's process: analysis and escalation are open to it.
    assert Status.ESCALATED in allowed_targets(turned.status, turned.kind)


@pytest.mark.django_db
def test_a_complaint_becomes_an_inquiry_only_with_a_reason_and_only_from_a_shared_status(org):
    complaint = intake(org.agent_a)
    with pytest.raises(InvalidInput) as refused:
        complaint_kind_change(number=complaint.number, actor=org.agent_a, to=ContactKind.INQUIRY)
    assert "reason" in refused.value.fields
    complaint_transition(number=complaint.number, actor=org.agent_a, to=Status.ACCEPTED)
    complaint_transition(number=complaint.number, actor=org.agent_a, to=Status.ANALYSING)
    with pytest.raises(InvalidInput) as refused:  # "analysing" is not a state of an inquiry
        complaint_kind_change(
            number=complaint.number, actor=org.agent_a, to=ContactKind.INQUIRY, reason="客户只是咨询"
        )
    assert "分析中" in refused.value.fields["kind"][0]
    complaint_transition(number=complaint.number, actor=org.agent_a, to=Status.HANDLING)
    complaint_kind_change(
        number=complaint.number, actor=org.agent_a, to=ContactKind.INQUIRY, reason="客户只是咨询"
    )
    complaint.refresh_from_db()
    assert complaint.kind == ContactKind.INQUIRY
    event = complaint.events.get(kind=EventKind.KIND_CHANGED)
    assert (event.old_value, event.new_value, event.reason, event.actor) == (
        "complaint",
        "inquiry",
        "客户只是咨询",
        org.agent_a,
    )


@pytest.mark.django_db
def test_changing_the_kind_needs_the_handle_permission_and_the_case_in_scope(org):
    inquiry = intake(org.agent_a, kind=ContactKind.INQUIRY, demand="")
    with pytest.raises(PermissionDenied):
        complaint_kind_change(number=inquiry.number, actor=org.inspector, to=ContactKind.COMPLAINT)
    with pytest.raises(Exception) as hidden:  # another store's agent does not see it at all
        complaint_kind_change(number=inquiry.number, actor=org.agent_b, to=ContactKind.COMPLAINT)
    assert type(hidden.value).__name__ == "NotFound"
    assert not ComplaintEvent.objects.filter(complaint=inquiry, kind=EventKind.KIND_CHANGED).exists()


@pytest.mark.django_db
def test_a_closed_contact_is_reopened_before_its_kind_changes(org):
    inquiry = intake(org.agent_a, kind=ContactKind.INQUIRY, demand="")
    complaint_transition(number=inquiry.number, actor=org.agent_a, to=Status.CLOSED, reason="已答复")
    with pytest.raises(InvalidInput) as refused:
        complaint_kind_change(number=inquiry.number, actor=org.agent_a, to=ContactKind.COMPLAINT)
    assert "重新打开" in refused.value.fields["kind"][0]


@pytest.mark.django_db
def test_a_routed_suggestion_is_in_its_owner_units_lists(org):
    """The unit filter (the team and unassigned queues, the API's ?unit=) is the units' own cases and the
    suggestions routed to them: a routed suggestion waits in the owner unit's queue."""
    suggestion = intake(org.agent_a, kind=ContactKind.SUGGESTION, title="希望账单增加明细", demand="")
    other = intake(org.agent_a, title="账单多扣费")
    complaint_transition(number=suggestion.number, actor=org.agent_a, to=Status.ACCEPTED)
    suggestion_route(number=suggestion.number, actor=org.agent_a, unit_code="BILL", reason="计费部负责账单")
    billing = complaint_page(user=org.executive, filters=ComplaintFilters(unit="BILL", open_only=True))
    assert [c.number for c in billing.items] == [suggestion.number]
    store = complaint_page(user=org.executive, filters=ComplaintFilters(unit="SH-A", open_only=True))
    assert {c.number for c in store.items} == {suggestion.number, other.number}  # the intake unit keeps it
