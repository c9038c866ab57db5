"""Domain errors. Interfaces (API, web) turn these into responses; services only raise them."""

import re

from django.utils.translation import gettext as _


class DomainError(Exception):
    """A rule of the domain refused the request. `code` is stable, `message` is for people."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}

    @property
    def reasons(self) -> list[str]:
        """Every reason in words: the fields' reasons, or the message when there are none."""
        return [reason for reasons in self.fields.values() for reason in reasons] or [self.message]


class InvalidInput(DomainError):
    """Field-level problems: {field: [reason, ...]}."""

    code = "invalid_input"
    status = 422

    def __init__(self, fields: dict[str, list[str]], message: str | None = None):
        super().__init__(message or _("提交的数据有误"), fields=fields)


class NotFound(DomainError):
    """Absent, or present but not visible to this user: the two are indistinguishable on purpose."""

    code = "not_found"
    status = 404

    def __init__(self, message: str | None = None):
        super().__init__(message or _("未找到"))


class PermissionDenied(DomainError):
    """The user can see the object but may not do this to it."""

    code = "permission_denied"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409


def too_long_message(*, limit: int, length: int) -> str:
    """The one wording for a text over its length limit, in the user's language."""
    return _("不能超过 %(limit)d 个字符（当前 %(length)d 个）") % {"limit": limit, "length": length}


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_text(value: str) -> bool:
    """Text no database column can hold: a NUL character (PostgreSQL refuses it) or an unpaired surrogate
    (cannot be encoded). Refused as a field error wherever text comes in."""
    return _UNSTORABLE.search(value) is not None


def unstorable_text_message() -> str:
    return _("不能包含空字符（NUL）或无效的 Unicode 字符")
