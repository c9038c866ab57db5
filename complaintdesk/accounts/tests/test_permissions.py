"""Permissions come from the role table without a query; a change of role, unit, token or activity
counts from the very next request (nothing about the user is cached)."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.accounts.backends import role_permissions
from complaintdesk.accounts.models import ApiToken, Role, User
from complaintdesk.accounts.roles import ROLE_PERMISSIONS
from complaintdesk.accounts.services import (
    api_token_authenticate,
    api_token_issue,
    api_token_revoke,
    user_set_role,
)

COMPLAINT_PERMISSIONS = {
    f"complaints.{c}" for c in ROLE_PERMISSIONS[Role.ADMINISTRATOR] | {"delete_complaint"}
}


def test_every_role_has_exactly_its_table_row_and_asking_costs_no_query(org):
    codenames = set(
        Permission.objects.filter(content_type__app_label="complaints").values_list("codename", flat=True)
    )
    assert set().union(*ROLE_PERMISSIONS.values()) <= codenames  # the table names real permissions
    for role in Role.values:
        if role == Role.ADMINISTRATOR:
            continue  # a superuser: every permission
        user = User.objects.get(pk=org.user(f"u_{role}", role, org.hq).pk)
        with CaptureQueriesContext(connection) as queries:
            granted = {f"complaints.{c}" for c in codenames if user.has_perm(f"complaints.{c}")}
            module = user.has_module_perms("complaints")
        assert granted == set(role_permissions(role)) == {f"complaints.{c}" for c in ROLE_PERMISSIONS[role]}
        assert module is True
        assert queries.captured_queries == []


def test_the_role_group_and_the_table_agree(org):
    for user in (org.agent_a, org.manager, org.inspector, org.api_a):
        from_groups = {f"complaints.{p.codename}" for p in Permission.objects.filter(group__user=user)}
        assert from_groups == set(role_permissions(user.role))
        assert user.get_group_permissions() == from_groups


def test_administrator_is_a_superuser_with_every_permission(org):
    admin = org.user("root", Role.ADMINISTRATOR, org.hq)
    assert all(admin.has_perm(p) for p in COMPLAINT_PERMISSIONS)
    assert admin.has_perm("sla.change_slapolicy")


def test_inactive_users_and_object_permissions_are_refused(org):
    org.agent_a.is_active = False
    assert not org.agent_a.has_perm("complaints.view_complaint")
    org.manager.is_active = True
    assert not org.manager.has_perm("complaints.view_complaint", obj=object())


def test_other_apps_permissions_still_come_from_the_database(org):
    org.agent_a.user_permissions.add(Permission.objects.get(codename="change_slapolicy"))
    fresh = User.objects.get(pk=org.agent_a.pk)
    assert fresh.has_perm("sla.change_slapolicy")
    assert not User.objects.get(pk=org.agent_b.pk).has_perm("sla.change_slapolicy")


def test_token_authentication_loads_the_user_and_unit_in_one_query(org):
    _row, token = api_token_issue(user=org.api_a)
    api_token_authenticate(token=token)  # the first use touches last_used_at
    with CaptureQueriesContext(connection) as queries:
        user = api_token_authenticate(token=token)
        assert user.org_unit.code == "SH-A" and user.has_perm("complaints.add_complaint")
    assert len(queries.captured_queries) == 1
    assert user == org.api_a and user.role == Role.API_CLIENT and user.org_unit == org.store_a
    assert user._state.adding is False and user.date_joined == org.api_a.date_joined
    assert ApiToken.objects.get(user=org.api_a).last_used_at is not None


def test_a_user_without_a_unit_authenticates(org):
    loose = User.objects.create(username="loose", role=Role.API_CLIENT)
    _row, token = api_token_issue(user=loose)
    user = api_token_authenticate(token=token)
    assert user == loose and user.org_unit is None


@pytest.fixture
def intake_body(make_payload):
    return make_payload(org_unit="SH-B")


def test_role_unit_and_token_changes_count_from_the_next_request(org, api_for, intake_body):
    api = api_for(org.api_a)  # an API client of store A
    assert api.post("/complaints", intake_body).status_code == 422  # store B is outside its scope

    org.api_a.org_unit = org.branch  # moved to the branch: store B is now in scope
    org.api_a.save(update_fields=["org_unit"])
    assert api.post("/complaints", intake_body).status_code == 201

    user_set_role(user=org.api_a, role=Role.QUALITY_INSPECTOR)  # inspectors do not take complaints
    assert api.post("/complaints", intake_body).status_code == 403
    user_set_role(user=org.api_a, role=Role.API_CLIENT)
    assert api.post("/complaints", intake_body).status_code == 201

    api_token_revoke(token_row=ApiToken.objects.get(user=org.api_a))
    assert api.post("/complaints", intake_body).status_code == 401
