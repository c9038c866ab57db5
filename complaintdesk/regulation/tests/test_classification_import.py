"""Classification schemes from CSV: the shipped JR/T 0169-2018 banking scheme, a new version imported by the
command and by the admin action, and bad files refused with line numbers and nothing written."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from complaintdesk.accounts.services import user_create
from complaintdesk.regulation.classification_csv import SchemeCsvError, parse_scheme_csv
from complaintdesk.regulation.models import ClassificationCode, ClassificationScheme
from complaintdesk.regulation.services import scheme_import_csv

pytestmark = pytest.mark.django_db

HEADER = "dimension,dimension_name,dimension_name_en,code,parent,name,name_en,keywords\n"
GOOD = HEADER + (
    "A,业务办理渠道,Business channel,A01,,前台业务,Front office,\n"
    "A,业务办理渠道,Business channel,A0101,A01,营业现场,At the branch,柜台\n"
    "B,业务类别,Business type,B01,,人民币储蓄,RMB savings,存款\n"
)


def test_the_banking_standard_is_shipped_with_its_three_dimensions():
    scheme = ClassificationScheme.objects.get(code="jrt0169-2018-bank", is_active=True)
    dims = {d.code: d.name for d in scheme.dimensions.all()}
    assert dims == {"A": "业务办理渠道", "B": "业务类别", "C": "投诉原因"}
    codes = {
        c.code: c
        for c in ClassificationCode.objects.filter(dimension__scheme=scheme).select_related("parent")
    }
    assert (
        codes["A010301"].name == "网银"
        and codes["A010301"].parent.code == "A0103"
        and codes["A010301"].level == 3
    )
    assert codes["A0103"].parent.code == "A01" and codes["A02"].name == "中后台业务"
    assert [codes[c].name for c in ("A010399", "A0199", "B99", "C99")] == ["其他"] * 4
    assert codes["C10"].name == "信息安全" and len([c for c in codes if c.startswith("C")]) == 11
    assert {codes[f"B0{i}"].name for i in range(1, 7)} == {
        "人民币储蓄",
        "贷款",
        "银行卡",
        "支付结算",
        "人民币管理",
        "个人金融信息",
    }


def test_a_new_version_is_imported_and_replaces_the_active_one():
    first = scheme_import_csv(code="test-scheme", version=1, name="测试标准", data=GOOD.encode())
    second = scheme_import_csv(
        code="test-scheme", version=2, name="测试标准", data=("\ufeff" + GOOD).encode()
    )
    first.refresh_from_db()
    assert (first.is_active, second.is_active, second.code_count) == (False, True, 3)
    assert ClassificationCode.objects.get(dimension__scheme=second, code="A0101").parent.code == "A01"


def test_excel_chinese_encoding_is_read():
    scheme = scheme_import_csv(code="gb", version=1, name="GB", data=GOOD.encode("gb18030"))
    assert ClassificationCode.objects.get(dimension__scheme=scheme, code="A0101").name == "营业现场"


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("A,渠道,,A01,,前台,,\nA,渠道,,A01,,重复,,\n", 3, "重复"),
        ("A,渠道,,A0101,A01,营业现场,,\n", 2, "上级代码 A01"),
        ("A,渠道,,A01,,,,\n", 2, "缺少名称"),
        ("A,渠道,,A 01,,前台,,\n", 2, "代码“A 01”无效"),
        ("A,渠道,,A01,,前台,,\nA,另一个名字,,A02,,中后台,,\n", 3, "名称与前面的行不一致"),
        ("A,渠道,,A01,,前台,,,多余\n", 2, "列数多于表头"),
    ],
    ids=["duplicate", "unknown-parent", "no-name", "bad-code", "dimension-renamed", "extra-column"],
)
def test_a_bad_row_is_reported_with_its_line_and_nothing_is_written(body, line, words):
    with pytest.raises(SchemeCsvError) as bad:
        scheme_import_csv(code="bad", version=1, name="坏文件", data=(HEADER + body).encode())
    assert any(problem_line == line and words in message for problem_line, message in bad.value.problems)
    assert not ClassificationScheme.objects.filter(code="bad").exists()


def test_every_bad_row_is_listed_not_only_the_first():
    body = "A,渠道,,A01,,,,\nA,渠道,,A02,,中后台,,\nA,渠道,,A03,A09,其他,,\n"
    with pytest.raises(SchemeCsvError) as bad:
        parse_scheme_csv(HEADER + body)
    assert [line for line, _message in bad.value.problems] == [2, 4]


def test_a_file_without_the_required_columns_is_refused():
    with pytest.raises(SchemeCsvError) as bad:
        parse_scheme_csv("code,name\nA01,前台\n")
    assert bad.value.problems[0][0] == 1 and "dimension" in bad.value.problems[0][1]


def test_an_existing_version_is_not_overwritten():
    scheme_import_csv(code="twice", version=1, name="两次", data=GOOD)
    with pytest.raises(Exception, match="已存在"):
        scheme_import_csv(code="twice", version=1, name="两次", data=GOOD)
    assert ClassificationScheme.objects.filter(code="twice").count() == 1


def test_the_command_imports_the_next_version(tmp_path):
    path = tmp_path / "full.csv"
    path.write_text(GOOD, encoding="utf-8")
    out = io.StringIO()
    call_command("regulation_import_scheme", str(path), "--code", "jrt0169-2018-bank", stdout=out)
    active = ClassificationScheme.objects.get(code="jrt0169-2018-bank", is_active=True)
    assert active.version == 2 and "3" in out.getvalue()
    assert active.name.startswith("JR/T 0169-2018")


def test_the_command_reports_bad_rows_with_line_numbers(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "A,渠道,,A0101,A01,营业现场,,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 2 行"):
        call_command("regulation_import_scheme", str(path), "--code", "jrt0169-2018-bank")
    assert ClassificationScheme.objects.filter(code="jrt0169-2018-bank").count() == 1


def test_the_admin_action_imports_a_file_or_lists_the_problems(org):
    admin = user_create(
        username="root", password=None, role="administrator", org_unit=org.hq, display_name="root"
    )
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(admin)
    scheme = ClassificationScheme.objects.get(code="jrt0169-2018-bank")
    url = "/admin/regulation/classificationscheme/"
    base = {"action": "import_csv_as_new_version", "_selected_action": [scheme.pk]}
    page = client.post(url, base)
    assert page.status_code == 200 and "导入 CSV 为新版本" in page.content.decode()

    bad = io.BytesIO((HEADER + "A,渠道,,A0101,A01,营业现场,,\n").encode())
    bad.name = "bad.csv"
    page = client.post(url, {**base, "apply": "1", "version": 2, "activate": "on", "file": bad})
    assert "第 2 行" in page.content.decode()
    assert not ClassificationScheme.objects.filter(code=scheme.code, version=2).exists()

    good = io.BytesIO(GOOD.encode())
    good.name = "good.csv"
    done = client.post(url, {**base, "apply": "1", "version": 2, "activate": "on", "file": good}, follow=True)
    assert done.status_code == 200
    assert ClassificationScheme.objects.get(code=scheme.code, is_active=True).version == 2
