from complaintdesk import testing
from complaintdesk.common.testing import clock as clock
from complaintdesk.common.testing import local as local
from complaintdesk.complaints.services import IntakeCustomer


def intake(actor, **overrides):
    """A billing complaint (话费多扣, from 李先生, no demand) taken in by `actor`."""
    billing = {
        "title": "话费多扣",
        "description": "本月话费比上月多扣了 58 元。",
        "customer": IntakeCustomer(name="李先生", phone="13900139000"),
        "demand": "",
    }
    return testing.intake(actor, **{**billing, **overrides})
