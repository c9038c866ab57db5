"""Fixtures for the inbox tests: the controlled clock from complaintdesk.common.testing."""

from complaintdesk.common.testing import clock as clock
