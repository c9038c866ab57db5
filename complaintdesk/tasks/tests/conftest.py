"""Fixtures of the task tests."""

from complaintdesk.common.testing import clock as clock
