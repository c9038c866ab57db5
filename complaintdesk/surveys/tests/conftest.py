"""Fixtures for the surveys app: the shared organisation, a controlled clock and cases in handling."""

import pytest

from complaintdesk import testing
from complaintdesk.common.testing import clock as clock
from complaintdesk.common.testing import local as local
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.services import IntakeCustomer

# A result that the default reply rules accept as it is.
CLEAN_RESULT = {
    "cause": "小区光缆被施工挖断",
    "measures": "我们已安排工程师更换了光缆",
    "outcome": "网络已恢复正常",
    "compensation_text": "本月宽带月租已全额减免",
}


@pytest.fixture
def handling_case():
    """Makes cases in handling, `handling_case(actor, **overrides)`, whose customer has an email address."""

    def make(actor, **overrides) -> Complaint:
        customer = IntakeCustomer(name="王女士", phone="13800138000", email="wang@example.com")
        return testing.handling_case(actor, **{"customer": customer, **overrides})

    return make
