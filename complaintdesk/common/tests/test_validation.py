"""Services validate with pydantic and answer {field: [reason]} in the user's language."""

import pytest
from django.utils import translation
from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

from complaintdesk.common.errors import InvalidInput
from complaintdesk.common.validation import INTEGER_MAX, validated, whole_number_typed


class Refund(BaseModel):
    amount: float = Field(ge=0)
    reason: str = Field(min_length=1, max_length=10)
    stars: int = Field(ge=1, le=5)

    @field_validator("reason")
    @classmethod
    def _no_codes(cls, value: str) -> str:
        if value.startswith("ERR"):
            raise PydanticCustomError("cd_reason_code", "请用文字说明原因")
        return value


def test_a_valid_input_comes_back_as_the_model():
    refund = validated(Refund, {"amount": "12.5", "reason": "破损", "stars": 3})
    assert refund.amount == 12.5 and refund.reason == "破损" and refund.stars == 3


def test_every_wrong_field_is_named_with_a_reason_in_chinese():
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
        validated(Refund, {"amount": "abc", "reason": "", "stars": 9})
    assert caught.value.fields == {
        "amount": ["应为数字"],
        "reason": ["此项为必填项"],
        "stars": ["不能大于 5"],
    }


def test_a_missing_field_and_an_own_rule_read_as_words():
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
        validated(Refund, {"amount": -1, "reason": "ERR42"}, prefix="refund")
    assert caught.value.fields == {
        "refund.amount": ["不能小于 0"],
        "refund.reason": ["请用文字说明原因"],
        "refund.stars": ["此项为必填项"],
    }


def test_english_readers_get_english_reasons():
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        validated(Refund, {"amount": 1, "reason": "x" * 11, "stars": 0})
    assert caught.value.fields["reason"] == ["Too long"]
    assert caught.value.fields["stars"] == ["Must be at least 1"]


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("42", 42),
        (" 7 ", 7),
        ("0", 0),
        (str(INTEGER_MAX), INTEGER_MAX),
        (str(INTEGER_MAX + 1), None),  # no integer column holds it
        ("1" * 5000, None),  # more digits than int() reads
        ("²", None),  # a digit to str.isdigit(), not to int()
        ("①", None),
        ("٣", None),  # an Arabic-Indic three: read by int(), but not what anyone types here
        ("-1", None),
        ("+1", None),
        ("1.0", None),
        ("", None),
        (None, None),
    ],
)
def test_a_typed_whole_number_is_ascii_digits_a_column_can_hold(typed, number):
    assert whole_number_typed(typed) == number
