"""The system's own accounts: created by the data migration (not on first use), one way to get them
(`system_user(code)`), named in the reader's language, and nobody can sign in as one."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from django.utils import translation

from complaintdesk.accounts.models import Role, SystemUser, User
from complaintdesk.accounts.roles import group_name
from complaintdesk.accounts.system import system_user

migration = importlib.import_module("complaintdesk.accounts.migrations.0003_system_users")

ENGLISH = {
    SystemUser.ESCALATION: "Escalation rules (system)",
    SystemUser.INTELLIGENCE: "Intelligence (system)",
    SystemUser.SURVEYS: "Satisfaction survey (system)",
}
CHINESE = {
    SystemUser.ESCALATION: "升级规则（系统）",
    SystemUser.INTELLIGENCE: "智能分析（系统）",
    SystemUser.SURVEYS: "满意度评价（系统）",
}


def test_every_system_account_exists_after_migrate_and_sees_every_unit(db):
    for kind in SystemUser:
        user = system_user(kind)
        assert user.username == f"system.{kind.value}"
        assert user.role == Role.GENERAL_MANAGEMENT and user.org_unit_id is None and user.is_active
        assert user.display_name == CHINESE[kind]
        assert not user.has_usable_password()
        assert user.has_perm("complaints.view_all_units") and user.has_perm("complaints.escalate_complaint")
        assert user.groups.filter(name=group_name(Role.GENERAL_MANAGEMENT)).exists()
        assert system_user(kind.value) == user  # by code as well
    assert User.objects.filter(username__startswith="system.").count() == len(SystemUser)


def test_an_unknown_code_is_refused():
    with pytest.raises(ValueError):
        system_user("nobody")


def test_a_missing_account_says_to_migrate(db):
    User.objects.filter(username=SystemUser.SURVEYS.username).delete()
    with pytest.raises(ImproperlyConfigured, match="migrate"):
        system_user(SystemUser.SURVEYS)


def test_the_name_is_the_readers_language_whatever_was_stored(db):
    user = system_user(SystemUser.ESCALATION)
    # An account created on first use by an earlier version stored the name in that process's language.
    User.objects.filter(pk=user.pk).update(display_name="Escalation rules (system)")
    user.refresh_from_db()
    for kind in SystemUser:
        with translation.override("zh-hans"):
            assert str(system_user(kind)) == CHINESE[kind]
        with translation.override("en"):
            assert str(system_user(kind)) == ENGLISH[kind]
    # A person named like a label is just a person.
    person = User.objects.create(username="systematic", display_name="王芳")
    assert str(person) == "王芳"


def test_nobody_signs_in_as_a_system_account(db):
    for kind in SystemUser:
        for password in ("", "!"):
            assert (
                authenticate(RequestFactory().post("/login/"), username=kind.username, password=password)
                is None
            )
        client = Client()
        response = client.post("/login/", {"username": kind.username, "password": "x"})
        assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_the_migration_keeps_accounts_made_on_first_use_and_adds_the_missing(db):
    """A database where an earlier version had created some accounts on first use: their rows (and
    every timeline event pointing at them) stay; the name becomes the Chinese one; missing ones appear."""
    legacy = system_user(SystemUser.INTELLIGENCE)
    User.objects.filter(pk=legacy.pk).update(display_name="Intelligence (system)")
    User.objects.filter(username=SystemUser.SURVEYS.username).delete()

    migration.system_users_create(apps, None)
    migration.system_users_create(apps, None)  # twice: nothing more

    again = system_user(SystemUser.INTELLIGENCE)
    assert again.pk == legacy.pk and again.display_name == "智能分析（系统）"
    surveys = system_user(SystemUser.SURVEYS)
    assert surveys.groups.get() == Group.objects.get(name=group_name(Role.GENERAL_MANAGEMENT))
    assert User.objects.filter(username__startswith="system.").count() == len(SystemUser)
