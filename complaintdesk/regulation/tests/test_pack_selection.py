"""Which pack (and which version of it) governs a case: the most specific selection wins."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from complaintdesk.complaints.models import Category
from complaintdesk.regulation.models import DeadlinePack, DeadlineRule, PackSelection
from complaintdesk.regulation.selectors import pack_for, pack_selection_for, pack_version_on

from .conftest import local

pytestmark = pytest.mark.django_db


def pack(code: str, version: int = 1) -> DeadlinePack:
    return DeadlinePack.objects.get(code=code, version=version)


def test_the_shipped_packs_say_what_the_organisation_must_confirm(db):
    shipped = DeadlinePack.objects.filter(version=1).order_by("code")
    assert [p.code for p in shipped] == ["banking-insurance", "odr-12315", "postal-courier", "telecom"]
    assert all(p.source and p.to_confirm for p in shipped)
    assert pack("banking-insurance").effective_from == dt.date(2020, 3, 1)


def test_no_selection_means_no_statutory_pack(org):
    assert pack_for(unit=org.store_a, category_id=None, received_at=local(2026, 3, 2, 10)) is None


def test_the_most_specific_selection_wins(org):
    loans = Category.objects.create(code="loans", name="贷款")
    PackSelection.objects.create(pack=pack("banking-insurance"))
    PackSelection.objects.create(pack=pack("telecom"), org_unit=org.branch)
    PackSelection.objects.create(pack=pack("postal-courier"), org_unit=org.store_a)
    PackSelection.objects.create(pack=pack("odr-12315"), org_unit=org.branch, category=loans)

    def chosen(unit, category=None):
        return pack_selection_for(unit=unit, category_id=category.pk if category else None).pack.code

    assert chosen(org.hq) == "banking-insurance"  # the organisation default
    assert chosen(org.store_b) == "telecom"  # inherited from the branch
    assert chosen(org.store_a) == "postal-courier"  # the store's own
    assert chosen(org.store_b, loans) == "odr-12315"  # the branch's category row beats its general row
    assert chosen(org.store_a, loans) == "postal-courier"  # but the nearer unit comes first


def test_a_case_uses_the_version_in_force_on_the_day_it_was_received(org):
    old = pack("banking-insurance")
    new = DeadlinePack.objects.create(
        code=old.code, version=2, name=old.name, effective_from=dt.date(2027, 1, 1), source="test"
    )
    DeadlineRule.objects.create(pack=new, clock="decision", amount=20, unit="day")
    PackSelection.objects.create(pack=old)
    assert pack_version_on(code=old.code, day=dt.date(2026, 12, 31)) == old
    assert pack_version_on(code=old.code, day=dt.date(2027, 1, 1)) == new
    assert pack_version_on(code=old.code, day=dt.date(2019, 12, 31)) is None  # before the regulation
    assert pack_for(unit=org.store_a, category_id=None, received_at=local(2027, 1, 1, 0, 30)) == new


def test_a_second_organisation_default_is_refused_in_the_admin_form(org):
    PackSelection.objects.create(pack=pack("banking-insurance"))
    with pytest.raises(ValidationError):
        PackSelection(pack=pack("telecom")).full_clean()


def test_an_extendable_rule_needs_an_approver_role_and_a_sensible_cap(db):
    rule = DeadlineRule(pack=pack("telecom"), clock="decision", amount=15, unit="day", extension_amount=15)
    with pytest.raises(ValidationError) as invalid:
        rule.full_clean()
    assert set(invalid.value.message_dict) >= {"extension_max_total", "extension_approver_role"}
