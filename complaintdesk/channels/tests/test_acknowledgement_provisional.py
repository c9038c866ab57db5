"""What is said at once (the portal's "filed" page, the agent on the phone) before the automatic analysis
says its times are provisional and how the customer will hear of a change; once analysed it does not."""

import pytest

from complaintdesk.channels.acknowledge import acknowledgement_build
from complaintdesk.intelligence.services.enrichment import complaint_enrich
from complaintdesk.testing import intake

pytestmark = pytest.mark.django_db


def test_times_said_before_the_analysis_are_called_provisional_and_not_after_it(org):
    case = intake(org.agent_a)  # the after-intake jobs run after the commit, which this test never makes
    before = acknowledgement_build(case)
    assert "以上为初步时限；如有调整，我们会另行告诉您。" in before.next_steps
    complaint_enrich(complaint_id=case.pk)  # the automatic analysis
    case.refresh_from_db()
    after = acknowledgement_build(case)
    assert not any("初步时限" in step for step in after.next_steps) and "初步时限" not in after.text
