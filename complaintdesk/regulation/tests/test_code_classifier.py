"""A case's regulatory codes are suggested when it is taken in, nobody pressing anything: per dimension by
the classifier trained on the codes agents confirmed, when it is confident enough, else by the codes'
keywords; a confirmed code is never replaced; the agent confirms. Training learns from confirmed codes only."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from complaintdesk.complaints.intake import complaint_take_in
from complaintdesk.regulation import code_models
from complaintdesk.regulation.code_training import code_classifiers_train
from complaintdesk.regulation.models import CaseCode, CaseCodeStatus, CodeClassifierModel
from complaintdesk.regulation.selectors import scheme_active
from complaintdesk.regulation.services import case_codes_suggest, complaint_codes_confirm
from complaintdesk.regulation.tasks import codes_suggest_after_intake
from complaintdesk.testing import intake_data

pytestmark = pytest.mark.django_db

CARD_FRAUD = dict(
    title="信用卡被盗刷",
    description="我在手机银行APP里看到信用卡被盗刷了三笔，打客服电话一直没人处理。",
    demand="追回被盗刷的钱",
)
# Cases agents classified B99 (其他) although they name a bank card (the keywords' B03), and loan cases (B02).
LOCKED = [
    "柜员说我的银行卡被锁了，要我本人带身份证到开户网点解锁",
    "银行卡被锁定了，柜员让本人带身份证去开户网点才能解锁",
    "我的银行卡突然被锁，网点柜员说只能本人持身份证到开户行解锁",
    "银行卡被锁无法使用，柜员要求本人带身份证回开户网点解锁",
    "因为银行卡被锁，柜员说要本人和身份证一起到开户网点办理解锁",
    "银行卡被系统锁了，网点柜员让我带身份证本人去开户行解锁",
]
LOANS = [
    "房贷提前还款申请了两个月还没有办好，利息一直在算",
    "申请提前还款房贷，等了两个月一直没有办理，多算了利息",
    "车贷提前还款手续拖了两个月，利息还在照算",
    "房贷提前还款的申请提交两个月了还没处理，利息照收",
    "提前还款房贷迟迟不办理，两个月了利息还在扣",
    "我要提前还清房贷，申请两个月没人办理，利息继续计算",
]


def codes_of(complaint) -> dict[str, tuple[str, str]]:
    return {
        c.dimension.code: (c.code.code, c.status)
        for c in CaseCode.objects.filter(complaint=complaint).select_related("dimension", "code")
    }


@pytest.fixture
def taken_in(org, django_capture_on_commit_callbacks):
    """Intake as every way in does it (`complaint_take_in`): the after-intake steps run once the case is
    committed."""

    def take(**fields):
        with django_capture_on_commit_callbacks(execute=True):
            return complaint_take_in(data=intake_data(**fields), actor=org.agent_a)

    return take


@pytest.fixture
def confident(settings):
    settings.REGULATION_CODE_CLASSIFIER_THRESHOLD = 0.5
    return settings


def _classified(taken_in, org, texts, codes):
    for text in texts:
        case = taken_in(title=text[:20], description=text, demand="请尽快处理")
        complaint_codes_confirm(number=case.number, actor=org.agent_a, codes=codes)


def test_a_new_case_gets_its_codes_suggested_at_intake_with_no_agent_action(org, taken_in):
    case = taken_in(**CARD_FRAUD)
    assert codes_of(case) == {
        "A": ("A010303", CaseCodeStatus.SUGGESTED),
        "B": ("B03", CaseCodeStatus.SUGGESTED),
        "C": ("C09", CaseCodeStatus.SUGGESTED),
    }
    row = CaseCode.objects.get(complaint=case, dimension__code="C")
    assert row.suggestion_confidence is None and "盗刷" in row.suggestion_basis
    with translation.override("zh-hans"):
        assert row.suggestion_words() == "系统建议，依据关键词：盗刷、被盗"


def test_the_panel_shows_the_suggestion_on_opening_the_case(org, taken_in, client):
    case = taken_in(**CARD_FRAUD)
    client.force_login(org.agent_a)
    page = client.get(f"/complaints/{case.number}/regulation/panel", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    text = page.content.decode()
    assert "系统建议，依据关键词：盗刷、被盗" in text
    assert 'value="C09" selected' in text


def test_with_a_trained_model_the_classifiers_code_wins_and_the_basis_says_so(org, taken_in, confident):
    _classified(taken_in, org, LOCKED, ["A0101", "B99", "C03"])
    _classified(taken_in, org, LOANS, ["A0101", "B02", "C03"])
    results = {r.dimension.code: r for r in code_classifiers_train(folds=3)}
    assert results["B"].model is not None and results["B"].model.is_active
    assert results["A"].model is None and "至少需要两个代码" in results["A"].skipped  # one code only

    case = taken_in(
        title="银行卡被锁", description="网点柜员说我的银行卡被锁了，让我本人带身份证去开户网点解锁"
    )
    row = CaseCode.objects.select_related("code").get(complaint=case, dimension__code="B")
    assert row.code.code == "B99"  # the keywords alone say B03 (银行卡)
    assert row.status == CaseCodeStatus.SUGGESTED and row.suggestion_confidence >= 0.5
    with translation.override("zh-hans"):
        assert row.suggestion_words() == f"分类模型建议，置信度 {round(row.suggestion_confidence * 100)}%"
    with translation.override("en"):
        assert row.suggestion_words() == f"Classifier, confidence {round(row.suggestion_confidence * 100)}%"
    # A dimension without a model keeps the keywords: A (网点、柜员).
    assert codes_of(case)["A"] == ("A0101", CaseCodeStatus.SUGGESTED)


def test_below_the_threshold_the_keywords_decide(org, taken_in, settings):
    _classified(taken_in, org, LOCKED, ["A0101", "B99", "C03"])
    _classified(taken_in, org, LOANS, ["A0101", "B02", "C03"])
    code_classifiers_train(folds=0)
    settings.REGULATION_CODE_CLASSIFIER_THRESHOLD = 1.01  # no model is that sure
    case = taken_in(
        title="银行卡被锁", description="网点柜员说我的银行卡被锁了，让我本人带身份证去开户网点解锁"
    )
    row = CaseCode.objects.select_related("code").get(complaint=case, dimension__code="B")
    assert (row.code.code, row.suggestion_confidence) == ("B03", None)


def test_a_confirmed_code_is_never_replaced_by_a_suggestion(org, taken_in, confident):
    _classified(taken_in, org, LOCKED, ["A0101", "B99", "C03"])
    _classified(taken_in, org, LOANS, ["A0101", "B02", "C03"])
    code_classifiers_train(folds=0)
    case = taken_in(
        title="银行卡被锁", description="网点柜员说我的银行卡被锁了，让我本人带身份证去开户网点解锁"
    )
    complaint_codes_confirm(number=case.number, actor=org.agent_a, codes=["A0102", "B03", "C01"])
    before = list(CaseCode.objects.filter(complaint=case).order_by("id").values())
    codes_suggest_after_intake.call(case.pk)  # the step again (a resent job)
    case_codes_suggest(complaint=case, scheme=scheme_active())
    assert list(CaseCode.objects.filter(complaint=case).order_by("id").values()) == before
    assert codes_of(case)["B"] == ("B03", CaseCodeStatus.CONFIRMED)


def test_training_learns_from_confirmed_codes_only(org, taken_in):
    _classified(taken_in, org, LOCKED, ["A0101", "B99", "C03"])
    _classified(taken_in, org, LOANS, ["A0101", "B02", "C03"])
    for text in ("收到一张假币", "取款机取出假币", "柜台兑换零钱给了残损币", "假币没人处理"):
        case = taken_in(title=text, description=text)
        assert codes_of(case)["B"] == ("B05", CaseCodeStatus.SUGGESTED)  # suggested, nobody confirmed
    dimension_b = scheme_active().dimensions.get(code="B")
    texts, labels = code_models.training_examples(dimension_id=dimension_b.pk)
    assert sorted(set(labels)) == ["B02", "B99"] and len(texts) == 12
    results = {r.dimension.code: r for r in code_classifiers_train(folds=0)}
    assert results["B"].model.labels == ["B02", "B99"] and results["B"].model.examples == 12
    # The periodic job learns again only where agents confirmed more since.
    again = {r.dimension.code: r for r in code_classifiers_train(folds=0, only_if_new=True)}
    assert again["B"].model is None and again["B"].skipped


def test_the_command_trains_each_dimension_and_says_why_not(org, taken_in):
    _classified(taken_in, org, LOCKED, ["A0101", "B99", "C03"])
    _classified(taken_in, org, LOANS, ["A0101", "B02", "C03"])
    out = io.StringIO()
    call_command("regulation_train_classifier", "--folds", "0", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 and '"dimension": "B", "version": 1, "active": true' in lines[1]
    assert '"dimension": "A"' in lines[0] and '"skipped": "至少需要两个代码' in lines[0]
    assert CodeClassifierModel.objects.filter(is_active=True).count() == 1


def test_the_codes_are_read_once_per_configuration_version_not_per_case(org, taken_in):
    scheme = scheme_active()
    first = taken_in(**CARD_FRAUD)
    second = taken_in(**CARD_FRAUD)
    case_codes_suggest(complaint=first, scheme=scheme)  # warm
    with CaptureQueriesContext(connection) as queries:
        case_codes_suggest(complaint=second, scheme=scheme)
    statements = [q["sql"] for q in queries.captured_queries]
    assert not any("regulation_classificationcode" in s and s.startswith("SELECT") for s in statements)
    assert not any("regulation_codeclassifiermodel" in s for s in statements)
    # An edit of a code's keywords is seen by the next suggestion.
    code = scheme.dimensions.get(code="C").codes.get(code="C01")
    code.keywords = "盗刷、被盗、三笔"  # now more of its words than C09's (盗刷、被盗) occur in the text
    code.save()
    case_codes_suggest(complaint=second, scheme=scheme)
    assert codes_of(second)["C"] == ("C01", CaseCodeStatus.SUGGESTED)
    assert CaseCode.objects.get(complaint=second, dimension__code="C").suggestion_basis == "盗刷、被盗、三笔"
