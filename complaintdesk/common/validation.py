"""Field validation in services with pydantic, keeping the product's error shape.

A service describes what it accepts as a pydantic model (types, lengths, ranges, choices, and the rules
that need a custom check as validators raising `PydanticCustomError` with a message already in the
user's language) and calls `validated(Model, data)`: it returns the model, or raises
`InvalidInput({field: [reason]})` — the same shape every interface shows (problem+json in the API, the
messages beside the fields on a page) — before anything is written.

A field that must read in the service's own words whatever is wrong with it takes `said(message)` in its
`Annotated[...]`; a validator refuses with `refusal(message)` (several reasons: `refusals([...])`); `text(limit)` is the product's free-text
field (stripped, None read as empty, the one too-long wording, optionally required).

Pydantic's own error types are said in the user's language by `pydantic_message`; the API's request
validation (complaintdesk.api.problems) uses the same table, so a field refused by the schema and one
refused by the service read alike.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Annotated, Any, TypeVar

from django.utils.translation import gettext as _
from pydantic import AfterValidator, BaseModel, BeforeValidator, ValidationError, WrapValidator
from pydantic_core import InitErrorDetails, PydanticCustomError

from .errors import InvalidInput, too_long_message
from .time import day_as_typed

Model = TypeVar("Model", bound=BaseModel)

# Error types raised by our own validators (PydanticCustomError("cd_…", _("…"))) carry their message,
# already in the user's language, in `msg`.
_OWN_PREFIXES = ("cd_",)


def _limit(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def DAY_FORMAT_MESSAGE() -> str:
    """How a day must be written, in the user's language."""
    return _("请按“年-月-日”填写日期，例如 2026-12-01")


def day_typed(value: Any) -> Any:
    """Before a date field: a day as people type it here, year first (2026-12-01, 2026/12/1, 2026年12月1日:
    `common.time.day_as_typed`) becomes the date; anything else goes on to the field, which refuses it
    in words (11/20/2026 is refused, never guessed)."""
    if isinstance(value, str):
        return day_as_typed(value) or value
    return value


TypedDay = Annotated[dt.date, BeforeValidator(day_typed)]

# The largest value an integer column holds (PostgreSQL bigint, SQLite INTEGER). An id above it matches no
# row, and SQLite cannot even be asked about it (OverflowError).
INTEGER_MAX = 2**63 - 1


def whole_number_typed(raw: str | None) -> int | None:
    """A whole number as typed in a form field or a query string (an id, a level, a count of days): ASCII
    digits only, no sign, at most INTEGER_MAX; None for anything else. `str.isdigit()` is no test: it
    says yes to "²" and "①", which int() refuses, and to 30 digits no column holds."""
    text = (raw or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(INTEGER_MAX)):
        return None
    value = int(text)
    return value if value <= INTEGER_MAX else None


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
        "date_parsing": DAY_FORMAT_MESSAGE(),
        "date_from_datetime_parsing": DAY_FORMAT_MESSAGE(),
        "date_from_datetime_inexact": DAY_FORMAT_MESSAGE(),
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


def validated(
    model: type[Model],
    data: Mapping[str, Any],
    *,
    prefix: str = "",
    message: str | None = None,
    context: Mapping[str, Any] | None = None,
) -> Model:
    """`model` built from `data`, or InvalidInput naming every field that is wrong and why (`message`:
    the headline above the fields, when the service has its own; `context`: what the model's validators
    read in `info.context`, e.g. a catalogue loaded once by the service)."""
    try:
        return model.model_validate(dict(data), context=dict(context) if context is not None else None)
    except ValidationError as error:
        raise InvalidInput(field_errors(error, prefix=prefix), message=message) from None


# A message for a refusal: a string (gettext or gettext_lazy) or a function returning one, called only
# when the field is refused (for wordings that need the request's language or a value known late).
Message = str | Callable[[], str]


def _said(message: Message) -> str:
    return str(message() if callable(message) else message)


def refusal(message: Message) -> PydanticCustomError:
    """A validator's refusal, read as `message` (already in the user's language) beside the field."""
    # The message travels in the context: a template would read braces in it as placeholders.
    return PydanticCustomError("cd_refused", "{reason}", {"reason": _said(message)})


def refusals(messages: Iterable[Message]) -> ValidationError:
    """Several reasons for one field, raised by its validator (each beside the field, in order)."""
    return ValidationError.from_exception_data(
        "refusals",
        [InitErrorDetails(type=refusal(message), loc=(), input=None) for message in messages],
    )


def said(message: Message) -> WrapValidator:
    """`Annotated[...]` metadata: whatever is wrong with the field (type, range, length, a rule listed
    before it), it reads as `message` — for a service that has one wording for a field."""

    def wrap(value: Any, handler: Callable[[Any], Any]) -> Any:
        try:
            return handler(value)
        except ValidationError:
            raise refusal(message) from None

    return WrapValidator(wrap)


def _stripped(value: Any) -> Any:
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else value


# Text as typed: stripped, None read as empty (the service's validators say what else it must be).
Text = Annotated[str, BeforeValidator(_stripped)]


def text(limit: int, *, required: bool | Message = False) -> Any:
    """A free-text field: stripped, None read as empty, at most `limit` characters (the product's one
    too-long wording); `required` refuses an empty one ("此项为必填项", or the message given)."""

    def check(value: str) -> str:
        if required and not value:
            raise refusal(_("此项为必填项") if required is True else required)
        if len(value) > limit:
            raise refusal(too_long_message(limit=limit, length=len(value)))
        return value

    return Annotated[Text, AfterValidator(check)]


@cache
def choice_values(choices) -> tuple:
    """`choices.values` of a Django choices class, read once: Django builds the list (and every label) at
    each `.values`, which every intake did a few dozen times."""
    return tuple(choices.values)
