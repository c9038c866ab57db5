"""Fixtures for regulation: the shared test organisation (conftest.Org), the controlled clock, cases taken
in through intake, and the shipped packs and JR/T 0169-2018 scheme (data migrations 0002 and 0003)."""

import pytest

from complaintdesk.common.testing import clock as clock
from complaintdesk.common.testing import local as local
from complaintdesk.regulation.models import DeadlinePack, PackSelection
from complaintdesk.testing import intake as intake


@pytest.fixture
def banking(org):
    """The organisation uses the banking & insurance pack everywhere."""
    return PackSelection.objects.create(pack=DeadlinePack.objects.get(code="banking-insurance", version=1))
