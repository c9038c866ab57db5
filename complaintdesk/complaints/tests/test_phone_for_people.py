"""A stored phone number as staff pages show it: grouped as people read it, masked ones as they are."""

import pytest

from complaintdesk.complaints.customers import phone_for_people


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+8613812345678", "138 1234 5678"),  # a mainland mobile, without the country code
        ("+861065123456", "010 6512 3456"),  # a Beijing landline with its area code
        ("+442079460958", "+44 20 7946 0958"),  # abroad: with its country code
        ("138****5678", "138****5678"),  # masked (common.masking) stays masked
        ("", ""),
        ("not a number", "not a number"),
    ],
)
def test_a_phone_reads_as_people_say_it(stored, shown):
    assert phone_for_people(stored) == shown
