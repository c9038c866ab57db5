"""The system's own accounts: the one way to get the user the system acts as (STYLE.md: work done by the
system itself is done by one named system user, created by a data migration).

They have no password and no token, so nobody signs in as them; they see every unit (综合管理部's role)
and belong to none. The timeline names them by their label (models.SystemUser), never by username.
"""

from django.core.exceptions import ImproperlyConfigured

from .models import SystemUser, User


def system_user(code: SystemUser | str) -> User:
    """The system account `code` (a SystemUser value). Raises ValueError for an unknown code."""
    kind = SystemUser(code)
    user = User.objects.filter(username=kind.username).first()
    if user is None:
        raise ImproperlyConfigured(
            f"The system account {kind.username!r} is missing: it is created by `manage.py migrate` "
            "(accounts.0003_system_users)."
        )
    return user
