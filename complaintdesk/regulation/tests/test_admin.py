"""The admin shows what the organisation must confirm, and an extra organisation-wide pack selection is
refused in words."""

import pytest
from django.test import Client

from complaintdesk.accounts.services import user_create
from complaintdesk.regulation.models import DeadlinePack

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(org):
    admin = user_create(
        username="root", password=None, role="administrator", org_unit=org.hq, display_name="root"
    )
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(admin)
    return client


def test_the_pack_list_and_page_show_what_to_confirm(admin_client):
    listing = admin_client.get("/admin/regulation/deadlinepack/").content.decode()
    assert "需机构确认" in listing and "银行保险机构消费投诉处理" in listing
    pack = DeadlinePack.objects.get(code="postal-courier")
    page = admin_client.get(f"/admin/regulation/deadlinepack/{pack.pk}/change/").content.decode()
    assert "部分地方邮政管理部门表述为“7个工作日”" in page  # the pack's note
    assert "自然日还是工作日请确认" in page  # the rule's note


def test_a_second_organisation_default_is_refused_in_words(admin_client):
    banking, telecom = (DeadlinePack.objects.get(code=c) for c in ("banking-insurance", "telecom"))
    assert admin_client.post("/admin/regulation/packselection/add/", {"pack": banking.pk}).status_code == 302
    page = admin_client.post("/admin/regulation/packselection/add/", {"pack": telecom.pk})
    assert page.status_code == 200 and "全组织的默认时限包已存在" in page.content.decode()
