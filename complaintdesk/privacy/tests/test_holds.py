"""Legal holds: placed and released on the case page by a supervisor or the compliance side, with a
reason, on the timeline; refused to an agent; shown to everyone who reads the case."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from complaintdesk.accounts.models import Role, User
from complaintdesk.common.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.privacy.models import LegalHold
from complaintdesk.privacy.services import legal_hold_place, legal_hold_release
from complaintdesk.testing import intake


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_supervisor_places_and_releases_a_hold_with_reasons(org):
    supervisor = org.user("sup", Role.SUPERVISOR, org.branch)
    case = intake(org.agent_a)
    hold = legal_hold_place(number=case.number, actor=supervisor, reason="监管机构调查中")
    assert hold.active and hold.placed_by == supervisor
    with pytest.raises(Conflict):
        legal_hold_place(number=case.number, actor=supervisor, reason="再来一次")
    released = legal_hold_release(number=case.number, actor=supervisor, reason="调查结束")
    assert (released.released_by, released.release_reason) == (supervisor, "调查结束")
    notes = list(
        ComplaintEvent.objects.filter(complaint=case, kind=EventKind.NOTE).values_list("new_value", flat=True)
    )
    assert any("监管机构调查中" in n for n in notes) and any("调查结束" in n for n in notes)


def test_holds_need_a_reason_and_the_right(org):
    case = intake(org.agent_a)
    with pytest.raises(PermissionDenied):
        legal_hold_place(number=case.number, actor=org.agent_a, reason="我想保全")
    with pytest.raises(InvalidInput) as refused:
        legal_hold_place(number=case.number, actor=org.executive, reason=" ")
    assert "reason" in refused.value.fields
    with pytest.raises(NotFound):  # outside the user's units: the product's 404, not a 403
        legal_hold_place(number=intake(org.agent_b).number, actor=org.user("s", Role.SUPERVISOR, org.store_a),
                         reason="原因写清楚")  # fmt: skip
    # The permission given to a user (or through a group) is enough, whatever the role.
    org.agent_a.user_permissions.add(Permission.objects.get(codename="hold_case"))
    agent = User.objects.get(pk=org.agent_a.pk)
    assert legal_hold_place(number=case.number, actor=agent, reason="法务部要求保全").active


def test_the_case_page_panel_shows_the_hold_and_offers_the_form_to_those_who_may(org):
    case = intake(org.agent_a)
    executive = _client(org.executive)
    panel = executive.get(f"/complaints/{case.number}/privacy/panel").content.decode()
    assert 'data-testid="privacy-hold-form"' in panel and "结案后保存 3 年，期满后匿名化" in panel
    refused = executive.post(f"/complaints/{case.number}/privacy/panel", {"action": "place", "reason": ""},
                             HTTP_HX_REQUEST="true")  # fmt: skip
    assert refused.status_code == 422 and "请填写原因" in refused.content.decode()
    done = executive.post(f"/complaints/{case.number}/privacy/panel", {"action": "place", "reason": "客户已起诉"},
                          HTTP_HX_REQUEST="true")  # fmt: skip
    assert done.status_code == 200 and 'data-testid="privacy-hold"' in done.content.decode()
    # The agent sees the hold but not the form, and a post of theirs is refused (403, nothing written).
    agent = _client(org.agent_a)
    seen = agent.get(f"/complaints/{case.number}/privacy/panel").content.decode()
    assert "客户已起诉" in seen and 'data-testid="privacy-hold-form"' not in seen
    answer = agent.post(f"/complaints/{case.number}/privacy/panel", {"action": "release", "reason": "不需要了"},
                        HTTP_HX_REQUEST="true")  # fmt: skip
    assert answer.status_code == 403
    assert LegalHold.objects.get(complaint=case).active
    # Another unit's agent: 404.
    assert _client(org.agent_b).get(f"/complaints/{case.number}/privacy/panel").status_code == 404
    # The case page loads the panel.
    assert (
        f"/complaints/{case.number}/privacy/panel"
        in agent.get(f"/complaints/{case.number}/").content.decode()
    )
