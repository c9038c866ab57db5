"""Field validation in services with pydantic, keeping the product's error shape.

A service describes what it accepts as a pydantic model (types, lengths, ranges, choices, and the rules
that need a custom check as validators raising `PydanticCustomError` with a message already in the
user's language) and calls `validated(Model, data)`: it returns the model, or raises
`InvalidInput({field: [reason]})` — the same shape every interface shows (problem+json in the API, the
messages beside the fields on a page) — before anything is written.

Pydantic's own error types are said in the user's language by `pydantic_message`; the API's request
validation (complaintdesk.api.problems) uses the same table, so a field refused by the schema and one
refused by the service read alike.
"""

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.utils.translation import gettext as _
from pydantic import BaseModel, ValidationError

from .errors import InvalidInput

Model = TypeVar("Model", bound=BaseModel)

# Error types raised by our own validators (PydanticCustomError("cd_…", _("…"))) carry their message,
# already in the user's language, in `msg`.
_OWN_PREFIXES = ("cd_",)


def _limit(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def pydantic_message(error: Mapping[str, Any]) -> str:
    """One pydantic error, said in the user's language (never pydantic's English or a type code)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    messages = {
        "missing": _("此项为必填项"),
        "string_type": _("应为文本"),
        "int_type": _("应为整数"),
        "int_parsing": _("应为整数"),
        "int_from_float": _("应为整数"),
        "float_type": _("应为数字"),
        "float_parsing": _("应为数字"),
        "decimal_type": _("应为数字"),
        "decimal_parsing": _("应为数字"),
        "bool_type": _("应为 true 或 false"),
        "bool_parsing": _("应为 true 或 false"),
        "datetime_type": _("应为 ISO 8601 时间，例如 2026-11-22T20:00:00+08:00"),
        "datetime_parsing": _("应为 ISO 8601 时间，例如 2026-11-22T20:00:00+08:00"),
        "datetime_from_date_parsing": _("应为 ISO 8601 时间，例如 2026-11-22T20:00:00+08:00"),
        "timezone_aware": _("请带上时区，例如 +08:00"),
        "model_type": _("应为 JSON 对象"),
        "model_attributes_type": _("应为 JSON 对象"),
        "dict_type": _("应为 JSON 对象"),
        "list_type": _("应为列表"),
        "enum": _("取值无效，可选：%(expected)s") % {"expected": ctx.get("expected", "")},
        "literal_error": _("取值无效，可选：%(expected)s") % {"expected": ctx.get("expected", "")},
        "extra_forbidden": _("不认识的字段"),
        "string_too_long": _("太长了"),
        "string_too_short": _("此项为必填项"),
        "greater_than_equal": _("不能小于 %(limit)s") % {"limit": _limit(ctx.get("ge", ""))},
        "greater_than": _("应大于 %(limit)s") % {"limit": _limit(ctx.get("gt", ""))},
        "less_than_equal": _("不能大于 %(limit)s") % {"limit": _limit(ctx.get("le", ""))},
        "less_than": _("应小于 %(limit)s") % {"limit": _limit(ctx.get("lt", ""))},
    }
    if kind in messages:
        return messages[kind]
    if kind == "value_error":  # a validator's ValueError(_("…")): its message, without pydantic's prefix
        return str(error.get("msg", "")).removeprefix("Value error, ") or _("取值无效")
    if kind.startswith(_OWN_PREFIXES) or kind.endswith("_out_of_range") or kind == "date_type":
        return str(error.get("msg", "")) or _("取值无效")
    return _("取值无效")


def field_path(loc: Iterable[Any], *, prefix: str = "") -> str:
    path = ".".join(str(part) for part in loc)
    if prefix:
        return f"{prefix}.{path}" if path else prefix
    return path


def field_errors(error: ValidationError, *, prefix: str = "") -> dict[str, list[str]]:
    """`{field: [reason, ...]}` from a pydantic ValidationError (field paths joined with dots)."""
    errors: dict[str, list[str]] = {}
    for item in error.errors():
        errors.setdefault(field_path(item.get("loc", ()), prefix=prefix) or "body", []).append(
            pydantic_message(item)
        )
    return errors


def validated(model: type[Model], data: Mapping[str, Any], *, prefix: str = "") -> Model:
    """`model` built from `data`, or InvalidInput naming every field that is wrong and why."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as error:
        raise InvalidInput(field_errors(error, prefix=prefix)) from None
