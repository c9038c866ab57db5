"""The portal's words for each kind of contact (issue 19): a customer who asked a question reads 咨询, not
投诉, on every page of it. Pure: a kind in, the words out (each through gettext)."""

from django.utils.translation import gettext_lazy as _

from complaintdesk.complaints.states import ContactKind

KIND_WORDS: dict[str, dict[str, str]] = {
    ContactKind.COMPLAINT: {
        "file": _("我要投诉"),
        "filed_title": _("投诉已登记"),
        "filed_heading": _("您的投诉已登记"),
        "number": _("投诉单号"),
        "number_keep": _("投诉单号（请保存，查询进度时要用）"),
        "yours": _("您的投诉"),
        "withdraw": _("撤回投诉"),
        "withdraw_hint": _("问题已经解决或不再需要处理时，可以撤回投诉。撤回后不能恢复。"),
        "done_by": _("处理完成时限"),
        "code_text": _(
            "您正在查询投诉单 %(number)s，验证码 %(code)s，%(minutes)d 分钟内有效，仅可使用一次。请勿告诉他人。"
        ),
        "code_subject": _("投诉单 %(number)s 查询验证码"),
        "withdraw_closed": _("投诉已处理完毕，不能再撤诉"),
    },
    ContactKind.INQUIRY: {
        "file": _("我要咨询"),
        "filed_title": _("咨询已登记"),
        "filed_heading": _("您的咨询已登记"),
        "number": _("咨询单号"),
        "number_keep": _("咨询单号（请保存，查询答复时要用）"),
        "yours": _("您的咨询"),
        "withdraw": _("撤回咨询"),
        "withdraw_hint": _("问题已经清楚、不再需要答复时，可以撤回咨询。撤回后不能恢复。"),
        "done_by": _("答复时限"),
        "code_text": _(
            "您正在查询咨询单 %(number)s，验证码 %(code)s，%(minutes)d 分钟内有效，仅可使用一次。请勿告诉他人。"
        ),
        "code_subject": _("咨询单 %(number)s 查询验证码"),
        "withdraw_closed": _("咨询已答复，不能再撤回"),
    },
    ContactKind.SUGGESTION: {
        "file": _("我要提建议"),
        "filed_title": _("建议已收到"),
        "filed_heading": _("感谢您的建议"),
        "number": _("建议单号"),
        "number_keep": _("建议单号（请保存，查询进展时要用）"),
        "yours": _("您的建议"),
        "withdraw": _("撤回建议"),
        "withdraw_hint": _("不再需要我们考虑这条建议时，可以撤回。撤回后不能恢复。"),
        "done_by": _("办结时限"),
        "code_text": _(
            "您正在查询建议单 %(number)s，验证码 %(code)s，%(minutes)d 分钟内有效，仅可使用一次。请勿告诉他人。"
        ),
        "code_subject": _("建议单 %(number)s 查询验证码"),
        "withdraw_closed": _("建议已在办理，不能再撤回"),
    },
    ContactKind.PRAISE: {
        "file": _("我要表扬"),
        "filed_title": _("表扬已收到"),
        "filed_heading": _("感谢您的表扬"),
        "number": _("表扬单号"),
        "number_keep": _("表扬单号（请保存）"),
        "yours": _("您的表扬"),
        "withdraw": _("撤回表扬"),
        "withdraw_hint": _("撤回后不能恢复。"),
        "done_by": _("处理完成时限"),
        "code_text": _(
            "您正在查询表扬单 %(number)s，验证码 %(code)s，%(minutes)d 分钟内有效，仅可使用一次。请勿告诉他人。"
        ),
        "code_subject": _("表扬单 %(number)s 查询验证码"),
        "withdraw_closed": _("表扬已收到，不能撤回"),
    },
}


# Before the customer has identified the case (the tracking and code pages), its kind is not known: these
# words fit every kind (受理单号, never 投诉单号).
NEUTRAL_WORDS: dict[str, str] = {
    "number": _("受理单号"),
}


def kind_words(kind: str | None) -> dict[str, str]:
    """The words of `kind` (a complaint's when unknown or empty)."""
    return KIND_WORDS.get(kind or ContactKind.COMPLAINT, KIND_WORDS[ContactKind.COMPLAINT])
