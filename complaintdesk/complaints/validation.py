"""What the complaint services accept, as pydantic models (`common.validation`): intake, the analysis, notes
and customer messages, the customer's record, the list's filters.

Each rule says its reason in the user's language, in the words the services have always used, under the
field name the interfaces show it beside. Rules that need the database (a unit the actor may see, a known
category code, a colleague by username) are the service's own checks after the model; `checked` hands their
caller the model's errors so that both are said together, before anything is written.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Annotated, Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from pydantic import BaseModel, PlainValidator, ValidationInfo, create_model, model_validator
from pydantic_core import PydanticCustomError

from complaintdesk.common.errors import (
    InvalidInput,
    too_long_message,
    unstorable_text,
    unstorable_text_message,
)
from complaintdesk.common.time import DAY_EARLIEST, DAY_LATEST, day_as_typed
from complaintdesk.common.validation import DAY_FORMAT_MESSAGE, choice_values, validated

from .customers import phone_normalise
from .models import Channel, Complexity, ContactChannel, PerceivedSeverity, Priority, Responsibility, Severity
from .states import ContactKind, Status

Model = TypeVar("Model", bound=BaseModel)

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
DEMAND_MAX = 5_000
SHORT_TEXT_MAX = 200
PRODUCT_MAX = 100
NAME_MAX = 100
ACCOUNT_MAX = 64
REASON_MAX = 1_000
# A clock skew allowance for "when it happened": a customer's phone may run a little fast.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)
# The largest amount Complaint.amount_at_stake holds (12 digits, 2 after the point).
AMOUNT_MAX = Decimal("9999999999.99")


def refused(message: str) -> PydanticCustomError:
    """A rule's refusal, its reason already in the user's language (common.validation reads it as is)."""
    return PydanticCustomError("cd_refused", message)


def checked(model: type[Model], data: Mapping[str, Any], *, prefix: str = "") -> tuple[Model | None, dict]:
    """`validated` for a service with checks of its own still to make: the model and no errors, or None
    and `{field: [reason]}`, so that the service says every wrong field at once."""
    try:
        return validated(model, data, prefix=prefix), {}
    except InvalidInput as error:
        return None, {name: list(reasons) for name, reasons in error.fields.items()}


# --- values ------------------------------------------------------------------------------------------------


def plain_text(value: Any) -> str:
    """Text, stripped and storable; None is ""."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise refused(_("应为文本"))
    if unstorable_text(value):
        raise refused(unstorable_text_message())
    return value.strip()


def text(limit: int, *, required: bool = False) -> Any:
    """Text, stripped: storable, present when required, at most `limit` characters. None is ""."""

    def check(value: Any) -> str:
        value = plain_text(value)
        if required and not value:
            raise refused(_("此项为必填项"))
        if len(value) > limit:
            raise refused(too_long_message(limit=limit, length=len(value)))
        return value

    return Annotated[str, PlainValidator(check)]


def choice(values: Callable[[], Iterable[Any]], message: Callable[[], str]) -> Any:
    """One of `values()`; else `message()` (which names them)."""

    def check(value: Any) -> Any:
        if isinstance(value, bool) or value not in values():
            raise refused(message())
        return value

    return Annotated[Any, PlainValidator(check)]


def _choices(enum) -> Callable[[], str]:
    return lambda: _("可选：%(choices)s") % {"choices": ", ".join(str(v) for v in enum.values)}


def _channel_message() -> str:
    return _("未知的渠道，可选：%(choices)s") % {"choices": ", ".join(Channel.values)}


ChannelValue = choice(lambda: choice_values(Channel), _channel_message)


def _aware(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        raise refused(_("应为 ISO 8601 时间，例如 2026-11-22T20:00:00+08:00"))
    if value.tzinfo is None:
        raise refused(_("请带上时区，例如 2026-11-22T20:00:00+08:00"))
    # Outside the product's days a time is a typo or a probe; near year 1 or 9999 it does not even
    # convert to UTC for storage (OverflowError). 14 hours either way: the widest zone offsets.
    earliest = dt.datetime.combine(DAY_EARLIEST, dt.time(), tzinfo=dt.UTC) - dt.timedelta(hours=14)
    latest = dt.datetime.combine(DAY_LATEST, dt.time.max, tzinfo=dt.UTC) + dt.timedelta(hours=14)
    try:
        inside = earliest <= value <= latest
    except OverflowError:
        inside = False
    if not inside:
        raise refused(
            _("超出可接受的范围（%(range)s）")
            % {"range": f"{DAY_EARLIEST.isoformat()} ~ {DAY_LATEST.isoformat()}"}
        )
    return value


AwareTime = Annotated[dt.datetime | None, PlainValidator(_aware)]


def date_or_none(value: Any) -> dt.date | None:
    """A date (not a date and time), or None for nothing given."""
    if value in (None, ""):
        return None
    if isinstance(value, str):  # typed by a person, year first: 2026-11-23, 2026/11/23, 2026年11月23日
        value = day_as_typed(value) or value
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise refused(DAY_FORMAT_MESSAGE())
    return value


DateOrNone = Annotated[dt.date | None, PlainValidator(date_or_none)]


@cache
def _one_text_model(field: str, limit: int, required: bool) -> type[BaseModel]:
    return create_model(f"Text_{field}", **{field: (text(limit, required=required), "")})


def text_validated(value: Any, *, field: str, limit: int, required: bool = False) -> str:
    """One text field on its own (a reason, a note): stripped, or InvalidInput({field: [reason]})."""
    return getattr(validated(_one_text_model(field, limit, required), {field: value}), field)


# --- intake ------------------------------------------------------------------------------------------------


def _customer_name(value: Any) -> str:
    value = plain_text(value)
    if not value:
        raise refused(_("请填写客户姓名或称呼"))
    if len(value) > NAME_MAX:
        raise refused(_("姓名不能超过 100 个字符"))
    return value


def _email(value: Any) -> str:
    value = plain_text(value).lower()
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise refused(_("邮箱地址格式不正确")) from None
    return value


def _account_no(value: Any) -> str:
    value = plain_text(value)
    if len(value) > ACCOUNT_MAX:
        raise refused(_("账号/订单号不能超过 64 个字符"))
    return value


def _preferred_channel(value: Any) -> str:
    value = value or ""
    if value and value not in choice_values(ContactChannel):
        raise refused(_("未知的联系方式"))
    return value


def _phone(value: Any) -> str:
    value = plain_text(value)
    if not value:
        return ""
    try:
        return phone_normalise(value)
    except ValueError as error:
        raise refused(str(error)) from None


def _intake_phone(value: Any, info: ValidationInfo) -> str:
    """The phone, and the rule that one way to reach the customer is left (a detail that failed its own
    check was given: its reason is said, not this one)."""
    phone = _phone(value)
    if not (phone or info.data.get("email", "?") or info.data.get("wechat_openid", "?")):
        raise refused(_("请至少留下一种联系方式：电话、邮箱或微信"))
    return phone


class IntakeCustomerFields(BaseModel):
    """The customer's details given with a case (`customer.…` in the errors). The phone comes last: it
    holds the rule about the other contacts."""

    name: Annotated[str, PlainValidator(_customer_name)] = ""
    email: Annotated[str, PlainValidator(_email)] = ""
    account_no: Annotated[str, PlainValidator(_account_no)] = ""
    wechat_openid: Annotated[str, PlainValidator(plain_text)] = ""
    preferred_channel: Annotated[str, PlainValidator(_preferred_channel)] = ""
    phone: Annotated[str, PlainValidator(_intake_phone)] = ""

    @model_validator(mode="after")
    def _preferred_by_default(self):
        if not self.preferred_channel:
            self.preferred_channel = (
                ContactChannel.PHONE
                if self.phone
                else (ContactChannel.EMAIL if self.email else ContactChannel.WECHAT)
            )
        return self


class RecorderFields(BaseModel):
    """Who took the case down, as given (the colleague is found by the service, in the actor's units)."""

    username: Annotated[str, PlainValidator(plain_text)] = ""
    employee_no: Annotated[str, PlainValidator(plain_text)] = ""
    name: text(NAME_MAX) = ""


def _not_later(message: Callable[[], str]) -> Callable[[Any, ValidationInfo], dt.datetime | None]:
    def check(value: Any, info: ValidationInfo) -> dt.datetime | None:
        value = _aware(value)
        if value is not None and value > info.data["at"] + FUTURE_TOLERANCE:
            raise refused(message())
        return value

    return check


def _received(value: Any, info: ValidationInfo) -> dt.datetime | None:
    value = _not_later(lambda: _("收到时间不能晚于现在"))(value, info)
    occurred = info.data.get("occurred_at")
    if value is not None and occurred is not None and value < occurred:
        raise refused(_("收到时间不能早于发生时间"))
    return value


class IntakeFields(BaseModel):
    """A case as any channel hands it in (complaints.services.IntakeData), checked at `at` (now)."""

    at: dt.datetime
    title: text(TITLE_MAX, required=True)
    description: text(DESCRIPTION_MAX, required=True)
    demand: text(DEMAND_MAX) = ""
    place: text(SHORT_TEXT_MAX) = ""
    product: text(PRODUCT_MAX) = ""
    people_involved: text(SHORT_TEXT_MAX) = ""
    channel: ChannelValue
    kind: choice(lambda: choice_values(ContactKind), _choices(ContactKind)) = ContactKind.COMPLAINT
    perceived_severity: choice(lambda: choice_values(PerceivedSeverity), _choices(PerceivedSeverity)) = (
        PerceivedSeverity.MEDIUM
    )
    occurred_at: Annotated[
        dt.datetime | None, PlainValidator(_not_later(lambda: _("发生时间不能晚于现在")))
    ] = None
    received_at: Annotated[dt.datetime | None, PlainValidator(_received)] = None
    customer: IntakeCustomerFields
    recorded_by: RecorderFields | None = None


INTAKE_TEXTS = ("title", "description", "demand", "place", "product", "people_involved")


# --- the analysis ------------------------------------------------------------------------------------------

ANALYSIS_FIELDS = (
    "category",
    "complexity",
    "severity",
    "priority",
    "is_batch",
    "reputation_risk",
    "responsibility",
    "root_cause",
    "impact",
    "amount_at_stake",
)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise refused(_("应为 true 或 false"))
    return value


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise refused(_("应为金额数字"))
    try:
        amount = Decimal(str(value))
        if not amount.is_finite():
            raise InvalidOperation(value)
    except ArithmeticError:
        raise refused(_("应为金额数字")) from None
    if amount < 0:
        raise refused(_("金额不能为负数"))
    if amount > AMOUNT_MAX:
        raise refused(_("不能大于 %(limit)s") % {"limit": AMOUNT_MAX})
    return amount


class AnalysisFields(BaseModel):
    """What an analysis may change; only the fields given are set (`model_fields_set`). The category is a
    code, found by the service."""

    category: Any = None
    complexity: choice(lambda: choice_values(Complexity), _choices(Complexity)) = None
    severity: choice(lambda: choice_values(Severity), _choices(Severity)) = None
    priority: choice(lambda: choice_values(Priority), lambda: _("优先级为 1（紧急）到 4（低）")) = None
    is_batch: Annotated[bool, PlainValidator(_flag)] = False
    reputation_risk: Annotated[bool, PlainValidator(_flag)] = False
    responsibility: choice(lambda: choice_values(Responsibility), _choices(Responsibility)) = None
    root_cause: text(DEMAND_MAX) = ""
    impact: text(DEMAND_MAX) = ""
    amount_at_stake: Annotated[Decimal | None, PlainValidator(_amount)] = None


def analysis_checked(changes: Mapping[str, Any]) -> tuple[dict, dict]:
    """(the values given, checked, by field; the errors): a field the analysis does not set is an error
    of its own, said with the others."""
    errors = {name: [_("此字段不能在分析中修改")] for name in changes if name not in ANALYSIS_FIELDS}
    known = {name: value for name, value in changes.items() if name in ANALYSIS_FIELDS}
    fields, field_errors = checked(AnalysisFields, known)
    errors.update(field_errors)
    return ({name: getattr(fields, name) for name in known} if fields else {}), errors


# --- what is added to a case -------------------------------------------------------------------------------

MESSAGE_MAX = DESCRIPTION_MAX


class NoteFields(BaseModel):
    text: text(DEMAND_MAX, required=True)


class CustomerMessageFields(BaseModel):
    text: text(MESSAGE_MAX, required=True)
    channel: ChannelValue


# --- the customer's record ---------------------------------------------------------------------------------


def _left_or(check: Callable[[Any], str]) -> Any:
    """None: the field stays as it is; else `check`."""
    return Annotated[str | None, PlainValidator(lambda value: None if value is None else check(value))]


def _record_text(limit: int) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        value = plain_text(value)
        if len(value) > limit:
            raise refused(too_long_message(limit=limit, length=len(value)))
        return value

    return check


def _record_name(value: Any) -> str:
    value = plain_text(value)
    if not value:
        raise refused(_("请填写客户姓名或称呼"))
    return _record_text(NAME_MAX)(value)


class CustomerRecordChanges(BaseModel):
    """Fields of a customer's record asked to change (None: left as it is; "" clears one)."""

    name: _left_or(_record_name) = None
    phone: _left_or(_phone) = None
    email: _left_or(_email) = None
    account_no: _left_or(_record_text(ACCOUNT_MAX)) = None
    wechat_openid: _left_or(_record_text(ACCOUNT_MAX)) = None


class CustomerRecordUpdate(BaseModel):
    reason: text(REASON_MAX, required=True)
    customer: CustomerRecordChanges


# --- the list's filters ------------------------------------------------------------------------------------

SEARCH_MIN, SEARCH_MAX = 2, 100


def _statuses(value: Any) -> tuple:
    if bad := [s for s in value if s not in choice_values(Status)]:
        raise refused(_("未知的状态：%(bad)s") % {"bad": ", ".join(map(str, bad))})
    return tuple(value)


def _channels(value: Any) -> tuple:
    if bad := [c for c in value if c not in choice_values(Channel)]:
        raise refused(_("未知的渠道：%(bad)s") % {"bad": ", ".join(map(str, bad))})
    return tuple(value)


def _kinds(value: Any) -> tuple:
    if bad := [k for k in value if k not in choice_values(ContactKind)]:
        raise refused(_("未知的联系类型：%(bad)s") % {"bad": ", ".join(map(str, bad))})
    return tuple(value)


def _search(value: Any) -> str:
    if value and not SEARCH_MIN <= len(value.strip()) <= SEARCH_MAX:
        raise refused(_("搜索词应为 %(min)d 到 %(max)d 个字符") % {"min": SEARCH_MIN, "max": SEARCH_MAX})
    return value


class FilterFields(BaseModel):
    """The list's filters that need no database (complaints.selectors.ComplaintFilters)."""

    status: Annotated[tuple, PlainValidator(_statuses)] = ()
    channel: Annotated[tuple, PlainValidator(_channels)] = ()
    kind: Annotated[tuple, PlainValidator(_kinds)] = ()
    created_from: AwareTime = None
    created_to: AwareTime = None
    q: Annotated[str, PlainValidator(_search)] = ""
