"""Writes for users and API tokens."""

import hashlib
import secrets
from functools import cache

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils.translation import gettext as _

from complaintdesk.common import configcache, fastsql
from complaintdesk.common.errors import InvalidInput
from complaintdesk.common.time import now
from complaintdesk.orgs.models import OrgUnit

from .models import ApiToken, Role, User
from .roles import group_name

TOKEN_PREFIX = "cdt_"


def token_hash(token: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough (unlike passwords).
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    org_unit: OrgUnit,
    display_name: str = "",
    email: str = "",
    employee_no: str = "",
    extension: str = "",
) -> User:
    if role not in Role.values:
        raise InvalidInput({"role": [_("未知的角色")]})
    if User.objects.filter(username=username).exists():
        raise InvalidInput({"username": [_("用户名已存在")]})
    user = User(
        username=username,
        role=role,
        org_unit=org_unit,
        display_name=display_name,
        email=email,
        employee_no=employee_no,
        extension=extension,
        is_staff=role in {Role.ADMINISTRATOR},
        is_superuser=role == Role.ADMINISTRATOR,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user_set_role(user=user, role=role)
    return user


@transaction.atomic
def user_set_role(*, user: User, role: str) -> User:
    """The role decides the user's single role group; other role groups are removed."""
    if role not in Role.values:
        raise InvalidInput({"role": [_("未知的角色")]})
    user.role = role
    user.save(update_fields=["role"])
    user.groups.remove(*Group.objects.filter(name__startswith="role:"))
    user.groups.add(Group.objects.get(name=group_name(role)))
    return user


def user_language_set(*, user: User, language: str) -> User:
    """The language of the notifications and e-mails `user` receives; empty: the organisation's."""
    offered = dict(settings.LANGUAGES)
    language = (language or "").strip().lower()
    if language and language not in offered:
        raise InvalidInput(
            {"language": [_("可选：%(choices)s") % {"choices": "、".join(str(n) for n in offered.values())}]}
        )
    user.language = language
    user.save(update_fields=["language"])
    return user


@transaction.atomic
def api_token_issue(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Returns the stored row and the clear token, which is never stored nor shown again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(user=user, name=name, prefix=token[:10], key_hash=token_hash(token))
    return row, token


def api_token_authenticate(*, token: str) -> User | None:
    """The token's user with their unit, in one query and uncached: a revoked token, a deactivated user or
    a changed role or unit counts from the next request on. Permissions then need no query (backends).
    Every API request runs this, so the statement is written out (common.fastsql), not compiled each time."""
    row = _token_row(token_hash(token))
    if row is None:
        return None
    current = now()
    # Touch at most once a minute: authentication should not write on every request.
    if row.last_used_at is None or (current - row.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=current)
    return row.user


@cache
def _token_sql(vendor: str) -> str:
    selected = [*fastsql.columns(ApiToken, "t"), *fastsql.columns(User, "u"), *fastsql.columns(OrgUnit, "o")]
    # The configuration tokens ride along: the request's configuration snapshot without a statement of its own.
    selected.append(configcache.snapshot_sql(vendor))
    return (
        f"SELECT {', '.join(selected)} "
        f"FROM {ApiToken._meta.db_table} t INNER JOIN {User._meta.db_table} u ON u.id = t.user_id "
        f"LEFT OUTER JOIN {OrgUnit._meta.db_table} o ON o.id = u.org_unit_id "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active"
    )


def _token_row(key_hash: str) -> ApiToken | None:
    """The live token with its user and the user's unit (what `select_related("user__org_unit")` gives)."""
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(connection.vendor), [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    configcache.snapshot_take(row[-1])
    row = row[:-1]
    token_end = len(ApiToken._meta.concrete_fields)
    user_end = token_end + len(User._meta.concrete_fields)
    token_row = fastsql.instance_from_row(ApiToken, row[:token_end])
    user = fastsql.instance_from_row(User, row[token_end:user_end])
    if user.org_unit_id is not None:
        User._meta.get_field("org_unit").set_cached_value(
            user, fastsql.instance_from_row(OrgUnit, row[user_end:])
        )
    ApiToken._meta.get_field("user").set_cached_value(token_row, user)
    return token_row


def api_token_revoke(*, token_row: ApiToken) -> None:
    ApiToken.objects.filter(pk=token_row.pk, revoked_at__isnull=True).update(revoked_at=now())
