"""A training case keeps nothing of the people in it: each detail becomes what it was, wherever it is in
the text, and the rest of the story stays readable. Pure: no database."""

import pytest
from django.utils import translation

from complaintdesk.learning.depersonalise import text_depersonalised

KNOWN = [("name", "黄宇轩"), ("phone", "+8613855160806"), ("email", "hyx@example.com"), ("reference", "4997")]


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "我住在上海杨浦区绿洲新城26号楼3单元2001室，最近一个多月家里手机信号只有一格",
            "我住在【地址】，最近一个多月家里手机信号只有一格",
        ),
        ("我家住上海杨浦区绿洲新城，本月初开始断网", "我家住【地址】，本月初开始断网"),
        ("寄到北京市朝阳区建国路88号SOHO现代城2号楼1503室，然后", "寄到【地址】，然后"),
        ("广州市天河区体育西路191号中石化大厦收", "【地址】收"),
        ("隔壁3单元2001室的邻居也一样", "【地址】的邻居也一样"),  # "隔壁" goes with it: better too much
        ("我住在上海徐汇区锦绣华庭27号楼3单元2204室，信号差", "我住在【地址】，信号差"),
        ("我住在上海静安区和平小区3号楼3单元1904室。", "我住在【地址】。"),
        ("寄到幸福里18号1502户", "寄到【地址】"),
    ],
)
def test_home_addresses_are_removed(text, expected):
    assert text_depersonalised(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "上周二我到上海中心营业厅办理套餐变更",  # a shop is not a person's address
        "在上海浦东加盟店买了一个充电宝，第3天到5楼3号窗口",
        "我和先生一起去的营业厅",  # "my husband", not someone surnamed 和
        "套餐199元，用了6天，一共打了4次电话",
        "营业厅2楼3号窗口的店员态度不好",
        "孩子在幼儿园，我下午才有空",
    ],
)
def test_places_and_amounts_that_are_nobody_stay(text):
    assert text_depersonalised(text) == text


def test_the_case_people_are_replaced_wherever_they_appear_in_any_form():
    text = (
        "客户黄宇轩来电，留的电话138 5516 0806，另一个是13855160806，邮箱 hyx@example.com；"
        "营业员（工号4997）说黄先生的号码要回归属地注销。"
    )
    assert text_depersonalised(text, known=KNOWN) == (
        "客户【姓名】来电，留的电话【手机号】，另一个是【手机号】，邮箱 【邮箱】；"
        "营业员（工号【编号】）说某先生的号码要回归属地注销。"
    )


def test_what_looks_like_personal_data_goes_even_when_nobody_knew_it():
    text = (
        "王女士说请打 13912345678 或 021-64381234，身份证110101199003074514，"
        "邮箱 a.b@qq.com，卡号6222 0202 0000 1234 567，运单号CD473637275721还没到，李师傅上门也没修好。"
    )
    assert text_depersonalised(text) == (
        "某女士说请打 【手机号】 或 【电话】，身份证【证件号】，"
        "邮箱 【邮箱】，卡号【编号】，运单号【编号】还没到，某师傅上门也没修好。"
    )


def test_a_short_number_of_the_case_is_not_removed_from_every_amount():
    assert text_depersonalised("退了12元", known=[("reference", "12")]) == "退了12元"


def test_twice_is_the_same_as_once():
    text = "王女士住在上海杨浦区绿洲新城26号楼3单元2001室，电话13912345678，工号4997"
    once = text_depersonalised(text, known=KNOWN)
    assert text_depersonalised(once, known=KNOWN) == once


def test_the_marks_are_in_the_language_the_text_is_stored_in():
    with translation.override("en"):
        assert text_depersonalised("请打 13912345678") == "请打 [mobile number]"
