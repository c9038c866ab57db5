"""Fixtures for dispatch: the shared test organisation (with the billing department BILL and its staff
member `billing`) plus a network department, a controlled clock (time-machine), cases in handling, and
the worker's sweep. The shared pieces come from complaintdesk.testing."""

import pytest

from complaintdesk.accounts.models import Role
from complaintdesk.common.testing import clock as clock
from complaintdesk.common.testing import local as local
from complaintdesk.orgs.services import orgunit_create
from complaintdesk.testing import handling_case as handling_case
from complaintdesk.testing import sweep as sweep


@pytest.fixture
def depts(org):
    """conftest.Org plus a network department with one engineer, and a second billing clerk."""
    org.network = orgunit_create(code="NET", name="网络部", kind="department", parent=org.hq)
    org.engineer = org.user("engineer", Role.DEPARTMENT_STAFF, org.network)
    org.billing2 = org.user("billing2", Role.DEPARTMENT_STAFF, org.billing)
    return org
