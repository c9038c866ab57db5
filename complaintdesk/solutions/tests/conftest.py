"""Fixtures for solutions: the shared test organisation plus a holder for every level of the default
ladder, a controlled clock (time-machine), cases in handling, and the worker's sweep; all of them come
from complaintdesk.testing."""

from complaintdesk.common.testing import clock as clock
from complaintdesk.common.testing import local as local
from complaintdesk.testing import handling_case as handling_case
from complaintdesk.testing import ladder_org as ladder_org
from complaintdesk.testing import sweep as sweep
