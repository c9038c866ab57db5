"""Placeholder filling, 称呼 and deadline formats. Pure: no database."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from complaintdesk.scripts.rendering import (
    PLACEHOLDER_NAMES,
    customer_title,
    format_deadline,
    language_normalise,
    placeholders_in,
    render,
    sample_values,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_every_placeholder_is_filled():
    template = " ".join(f"{{{name}}}" for name in sorted(PLACEHOLDER_NAMES))
    result = render(template, sample_values("zh-hans"))
    assert result.missing == [] and result.unknown == [] and result.complete
    assert "{" not in result.text and "王女士" in result.text and "ComplaintDesk" in result.text


def test_chinese_aliases_fill_like_their_english_names():
    result = render(
        "{称呼}您好，我是{客服姓名}（工号{工号}），{方案A}或{方案B}，{时限}前答复。", sample_values("zh-hans")
    )
    assert result.text == (
        "王女士您好，我是李敏（工号10086），减免本月宽带月租或赠送一个月宽带提速，11月25日（周三）18:00前答复。"
    )
    assert placeholders_in("{称呼}{customer_title}{工号}") == ["customer_title", "employee_no"]


def test_missing_values_stay_visible_and_are_reported():
    result = render(
        "{customer_title}，方案A：{option_a}；方案B：{option_b}。{option_a}", {"customer_title": "王女士"}
    )
    assert result.text == "王女士，方案A：{option_a}；方案B：{option_b}。{option_a}"
    assert result.missing == ["option_a", "option_b"]
    assert result.unknown == [] and not result.complete


def test_unknown_placeholders_are_reported_never_raised():
    result = render("{customer_titel}您好 {0} {} {customer title} {{brand}} {", {"customer_title": "王女士"})
    assert result.text == "{customer_titel}您好 {0} {} {customer title} {brand} {"
    assert result.missing == ["customer_titel"] and result.unknown == ["customer_titel"]


def test_optional_segments_disappear_without_their_values():
    template = "我是{agent_name}[[，工号{employee_no}]][[，分机{extension}]]。"
    assert render(template, {"agent_name": "李敏", "extension": "8021"}).text == "我是李敏，分机8021。"
    assert (
        render(template, {"agent_name": "李敏", "employee_no": "7", "extension": "8"}).text
        == "我是李敏，工号7，分机8。"
    )
    result = render(template, {})
    assert result.text == "我是{agent_name}。" and result.missing == ["agent_name"]


def test_values_are_text_not_markup():
    # A customer who calls himself "{brand}" must not pull the brand into the reply, nor run code.
    result = render(
        "{customer_name}：{problem}",
        {"customer_name": "{brand}", "problem": "{{ 7*7 }} [[x]]", "brand": "ComplaintDesk"},
    )
    assert result.text == "{brand}：{{ 7*7 }} [[x]]"


def test_a_value_typed_as_a_sentence_does_not_double_the_scripts_punctuation():
    # The customer's demand as typed on the portal ends with "。"; the clarifying scripts go on with "，对吗？".
    values = {"problem": "宽带每天晚上断网，已经一周了", "demand": "尽快派人上门修好，并减免本月宽带费。"}
    asked = render("您遇到的情况是{problem}，您希望{demand}，对吗？", values).text
    assert (
        asked
        == "您遇到的情况是宽带每天晚上断网，已经一周了，您希望尽快派人上门修好，并减免本月宽带费，对吗？"
    )
    said = render("您的诉求是{demand}。如果哪里记得不对，请您直接纠正我。", values).text
    assert said == "您的诉求是尽快派人上门修好，并减免本月宽带费。如果哪里记得不对，请您直接纠正我。"
    # Where the script goes on with words, the value keeps its own full stop.
    assert (
        render("{demand}我会尽快办理。", values).text == "尽快派人上门修好，并减免本月宽带费。我会尽快办理。"
    )


def test_blank_values_count_as_missing():
    assert render("{demand}", {"demand": "  "}).missing == ["demand"]
    assert render("{demand}", {"demand": None}).missing == ["demand"]


@pytest.mark.parametrize(
    ("name", "title", "language", "expected"),
    [
        ("王丽", "ms", "zh-hans", "王女士"),
        ("王女士", "ms", "zh-hans", "王女士"),
        ("张先生", "mr", "zh-hans", "张先生"),
        ("欧阳娜娜", "ms", "zh-hans", "欧阳女士"),
        ("李明", "", "zh-hans", "李明"),
        ("王丽", "ms", "en", "Ms 王"),
        ("John Smith", "mr", "en", "Mr Smith"),
        ("Anna Lee", "ms", "zh-hans", "Lee女士"),
        ("", "ms", "zh-hans", ""),
    ],
)
def test_customer_title(name, title, language, expected):
    assert customer_title(name=name, title=title, language=language) == expected


def test_deadline_in_the_organisation_zone():
    at = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)  # 18:00 in Shanghai, a Wednesday
    assert (
        format_deadline(at, language="zh-hans", zone=SHANGHAI, today=dt.date(2026, 11, 24))
        == "11月25日（周三）18:00"
    )
    assert format_deadline(at, language="en", zone=SHANGHAI, today=dt.date(2026, 11, 24)) == (
        "Wednesday 25 November, 18:00"
    )
    # Another year, or no reference date: the year is spelt out.
    assert (
        format_deadline(at, language="zh", zone=SHANGHAI, today=dt.date(2027, 1, 2))
        == "2026年11月25日（周三）18:00"
    )
    assert format_deadline(at, language="en-GB", zone=SHANGHAI) == "Wednesday 25 November 2026, 18:00"
    # Late on the 31st in UTC is already the next day and the next year in Shanghai.
    new_year = dt.datetime(2026, 12, 31, 17, 30, tzinfo=dt.UTC)
    assert format_deadline(new_year, language="zh-hans", zone=SHANGHAI, today=dt.date(2026, 12, 31)) == (
        "2027年1月1日（周五）01:30"
    )


def test_language_codes():
    assert [language_normalise(x) for x in ("zh", "zh-CN", "zh_Hans", "en", "en-GB", "", None, "fr")] == [
        "zh-hans", "zh-hans", "zh-hans", "en", "en", "", "", "fr"]  # fmt: skip
