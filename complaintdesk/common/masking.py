"""Masking of personal data for roles that don't need it. Pure."""

import re


def mask_phone(value: str) -> str:
    """+8613800138000 → 138****8000; keeps the last four digits and a recognisable start."""
    digits = value.removeprefix("+86") if value.startswith("+86") else value
    if len(digits) <= 4:
        return "*" * len(digits)
    keep_start = 3 if len(digits) >= 11 else max(len(digits) - 8, 1)
    return digits[:keep_start] + "*" * (len(digits) - keep_start - 4) + digits[-4:]


def mask_email(value: str) -> str:
    local, _sep, domain = value.partition("@")
    if not domain:
        return mask_text(value)
    return (local[:1] + "***@" + domain) if local else "***@" + domain


def mask_text(value: str, keep: int = 1) -> str:
    """For account numbers, ID numbers, addresses: first and last `keep` characters stay."""
    if len(value) <= keep * 2:
        return "*" * len(value)
    return value[:keep] + "*" * (len(value) - keep * 2) + value[-keep:]


def mask_name(value: str) -> str:
    """王小明 → 王**, 王芳 → 王*: the surname stays (how staff address the customer), the rest is hidden."""
    value = value.strip()
    if len(value) <= 1:
        return value
    return value[:1] + "*" * min(len(value) - 1, 3)


# --- personal data inside free text (a training case, a shared example) ----------------------------------
# Patterns for what the case's own fields cannot name: a customer's address typed into the description,
# someone called by surname and title, an order, waybill or staff number. Each is conservative: it must
# end in a door number or a residential name, a title, or follow a number's label, so shops, products
# and places in general stay readable.

_HAN = "\u4e00-\u9fff"
# Characters that end a sentence's lead-in rather than start a place name ("我住在…", "家在…").
_NOT_PLACE = "我你他她它们住在是的了到去从与及家这那往来办买说叫被把向"
_PLACE_CHAR = rf"(?:(?![{_NOT_PLACE}])[{_HAN}A-Za-z])"
_ADMIN = rf"{_PLACE_CHAR}{{1,8}}?(?:省|自治区|市|区|县|镇|乡|街道)"
_ROAD = rf"{_PLACE_CHAR}{{1,10}}?(?:大道|路|街|巷|弄|胡同|村|里)"
_ESTATE = rf"{_PLACE_CHAR}{{1,10}}?(?:小区|新城|新村|花园|家园|华庭|公寓|大厦|苑|社区|宿舍)"
_DOOR = (
    r"(?:[0-9０-９一二三四五六七八九十百零〇A-Za-z-]{1,6}(?:号楼|号院|号|栋|幢|座|单元|楼|层|室|弄|支弄|户))"
)
_ROOM = r"[0-9０-９]{2,5}(?:室|户)"
ADDRESS = re.compile(
    rf"(?:{_ADMIN}){{0,3}}"
    rf"(?:(?:{_ROAD}|{_ESTATE}){{1,2}}{_DOOR}+(?:{_PLACE_CHAR}{{1,10}}?{_DOOR}+)*"  # 建国路88号SOHO现代城2号楼1503室
    rf"|(?:{_ROAD})?{_ESTATE}(?:{_DOOR}+)?"  # 绿洲新城(26号楼…)
    rf"|{_PLACE_CHAR}{{0,10}}?{_DOOR}{{0,3}}{_ROOM})"  # 锦绣华庭27号楼3单元2204室, 3单元2001室
)

# Common single-character surnames, without the ones that are also everyday words before a title
# (和, 与, 向, 于 …: "我和先生" is "my husband and I").
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵钱严覃武戴莫孔汤"
)
TITLES = ("先生", "女士", "小姐", "阿姨", "大爷", "大妈", "师傅", "老师", "经理", "主任", "总")
TITLED_NAME = re.compile(rf"[{SURNAMES}](?=(?:{'|'.join(TITLES)}))")

# A number after its label: 运单号CD473637275721, 工号4997, 订单号：2026….
REFERENCE = re.compile(
    r"(?P<label>运单号|快递单号|订单号|单号|工号|账号|户号|合同号|保单号|卡号|尾号|车牌号?)\s*[:：]?\s*"
    r"(?P<value>[A-Za-z0-9][A-Za-z0-9-]{3,}(?:[ -][A-Za-z0-9]{2,})*)"
)
