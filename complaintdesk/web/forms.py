"""Forms of the workbench: they parse and check the shape of input; the rules are the services'.

A service's InvalidInput ({field: [message]}) is put back on the form with `domain_errors_apply`, so
every problem is shown next to its field in the user's language.
"""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaintdesk.common.errors import DomainError
from complaintdesk.common.names import name_for_people
from complaintdesk.complaints.models import (
    Channel,
    Complexity,
    ContactChannel,
    PerceivedSeverity,
    Priority,
    Responsibility,
    Severity,
)
from complaintdesk.complaints.selectors import SEARCH_MAX
from complaintdesk.complaints.states import ContactKind, Status

from .lockout import login_locked_seconds


def _minutes(seconds: int) -> int:
    return max(1, (seconds + 59) // 60)


class LoginForm(AuthenticationForm):
    """Django's sign-in; django-axes refuses it for a while after repeated failures (see lockout.py), and
    this form says so in the reader's language instead of "wrong password"."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确"),
        "locked": _("登录失败次数过多，该账号在此设备上已被暂时锁定，请在 %(minutes)d 分钟后再试。"),
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError as error:
            request = self.request
            if request is None or not getattr(request, "axes_locked_out", False):
                raise
            request.login_lockout_shown = True  # lockout_response keeps this page
            seconds = login_locked_seconds(request)
            raise ValidationError(
                self.error_messages["locked"], code="locked", params={"minutes": _minutes(seconds)}
            ) from error


def domain_errors_apply(form: forms.Form, error: DomainError, fields: dict[str, str] | None = None) -> None:
    """Put a service's field errors on the form: `fields` maps a service field name to a form field
    (e.g. "customer.phone" → "phone"); the rest become errors of the whole form."""
    fields = fields or {}
    placed = False
    for name, messages in (error.fields or {}).items():
        target = fields.get(name, name)
        target = target if target in form.fields else None
        for message in messages:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def _choices(enum, blank: str | None = None) -> list[tuple[str, str]]:
    return ([("", blank)] if blank is not None else []) + [
        (str(value), label) for value, label in enum.choices
    ]


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=SEARCH_MAX)
    # One labelled checkbox per status (a bare multiple <select> had no label and is awkward on a phone).
    status = forms.MultipleChoiceField(
        label=_("状态"), required=False, choices=Status.choices, widget=forms.CheckboxSelectMultiple
    )
    channel = forms.ChoiceField(label=_("渠道"), required=False)
    kind = forms.ChoiceField(label=_("类型"), required=False)
    category = forms.ChoiceField(label=_("类别"), required=False)
    unit = forms.ChoiceField(label=_("机构"), required=False)
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, categories=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = _choices(Channel, gettext("全部渠道"))
        self.fields["kind"].choices = _choices(ContactKind, gettext("全部类型"))
        self.fields["category"].choices = [("", gettext("全部类别"))] + [
            (c.code, name_for_people(c)) for c in categories
        ]
        self.fields["unit"].choices = [("", gettext("我的机构"))] + [
            (u.code, name_for_people(u)) for u in units
        ]

    def clean_q(self):
        q = self.cleaned_data["q"].strip()
        if q and len(q) < 2:
            raise ValidationError(_("搜索词至少 2 个字符"))
        return q


class ContactKindForm(forms.Form):
    to = forms.ChoiceField(label=_("改为"), choices=ContactKind.choices)
    reason = forms.CharField(label=_("原因"), required=False, max_length=1000)

    def __init__(self, *args, current: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if current:
            self.fields["to"].choices = [(v, label) for v, label in ContactKind.choices if v != current]


class RouteForm(forms.Form):
    unit = forms.CharField(label=_("负责部门（机构编码）"), max_length=64)
    reason = forms.CharField(label=_("说明"), required=False, max_length=1000)


class TransferForm(forms.Form):
    unit = forms.CharField(
        label=_("转办到"), max_length=64, error_messages={"required": _("请选择转办到哪个机构")}
    )
    reason = forms.CharField(
        label=_("转办原因"), max_length=1000, error_messages={"required": _("请填写转办原因")}
    )


class CreditForm(forms.Form):
    username = forms.CharField(label=_("受表扬人员（用户名）"), required=False, max_length=150)
    unit = forms.CharField(label=_("受表扬机构（机构编码）"), required=False, max_length=64)
    note = forms.CharField(label=_("说明"), required=False, max_length=1000)


class BulkAssignForm(forms.Form):
    numbers = forms.MultipleChoiceField(label=_("投诉单"), error_messages={"required": _("请先勾选投诉单")})
    assignee = forms.ChoiceField(label=_("分派给"))
    reason = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args, numbers=(), assignees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["numbers"].choices = [(n, n) for n in numbers]
        self.fields["assignee"].choices = [("", gettext("（取消分派）"))] + [
            (u.username, f"{u} · {name_for_people(u.org_unit) if u.org_unit_id else ''}") for u in assignees
        ]
        self.fields["assignee"].required = False


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("转为"), choices=Status.choices)
    reason = forms.CharField(
        label=_("原因"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnalysisForm(forms.Form):
    category = forms.ChoiceField(label=_("类别"), required=False)
    complexity = forms.ChoiceField(label=_("复杂程度"), choices=Complexity.choices)
    severity = forms.ChoiceField(label=_("严重级别"), choices=Severity.choices)
    priority = forms.TypedChoiceField(label=_("优先级"), choices=Priority.choices, coerce=int)
    responsibility = forms.ChoiceField(label=_("责任归属"), choices=Responsibility.choices)
    is_batch = forms.BooleanField(label=_("批量/群体性"), required=False)
    reputation_risk = forms.BooleanField(label=_("声誉风险"), required=False)
    root_cause = forms.CharField(
        label=_("根本原因"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    impact = forms.CharField(
        label=_("影响（金钱损失、无法使用、耽误时间、困扰）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    amount_at_stake = forms.DecimalField(
        label=_("涉及金额"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    reason = forms.CharField(label=_("说明"), required=False, max_length=500)

    def __init__(self, *args, categories=(), kind: str = ContactKind.COMPLAINT, **kwargs):
        super().__init__(*args, **kwargs)
        if kind != ContactKind.COMPLAINT:
            # 一般投诉 / 重大投诉 grades complaints only: an inquiry is analysed without it.
            del self.fields["severity"]
        self.fields["category"].choices = [("", gettext("（未分类）"))] + [
            (c.code, name_for_people(c)) for c in categories
        ]

    @classmethod
    def initial_from(cls, complaint) -> dict:
        return {
            "category": complaint.category.code if complaint.category_id else "",
            "complexity": complaint.complexity,
            "severity": complaint.severity,
            "priority": complaint.priority,
            "responsibility": complaint.responsibility,
            "is_batch": complaint.is_batch,
            "reputation_risk": complaint.reputation_risk,
            "root_cause": complaint.root_cause,
            "impact": complaint.impact,
            "amount_at_stake": complaint.amount_at_stake,
        }

    def changes(self, complaint) -> dict:
        """Only what differs from the case, in the service's terms."""
        data = dict(self.cleaned_data)
        data.pop("reason", None)
        current = self.initial_from(complaint)
        return {name: value for name, value in data.items() if value != current[name]}


class NoteForm(forms.Form):
    text = forms.CharField(label=_("内部备注"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class CustomerMessageForm(forms.Form):
    text = forms.CharField(
        label=_("客户说了什么"), max_length=20000, widget=forms.Textarea(attrs={"rows": 2})
    )
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices, initial=Channel.PHONE)


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("给客户的回复"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    override_reason = forms.CharField(label=_("仍然发送的原因"), required=False, max_length=1000)


class PhoneIntakeForm(forms.Form):
    """The fields in the order a call brings them: who is calling, what happened, what they want."""

    # Not sent (an older page, a script): a complaint, as before contact types existed.
    kind = forms.ChoiceField(
        label=_("来电类型"),
        choices=ContactKind.choices,
        initial=ContactKind.COMPLAINT,
        required=False,
        widget=forms.RadioSelect,
    )

    phone = forms.CharField(label=_("来电号码"), max_length=30)
    name = forms.CharField(label=_("客户姓名/称呼"), max_length=100)
    email = forms.EmailField(label=_("邮箱"), required=False)
    account_no = forms.CharField(label=_("账号/订单号"), required=False, max_length=64)
    title = forms.CharField(label=_("问题概述"), max_length=200)
    description = forms.CharField(
        label=_("客户描述（边听边记）"), max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )
    occurred_at = forms.DateTimeField(
        label=_("发生时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    place = forms.CharField(label=_("发生地点"), required=False, max_length=200)
    product = forms.CharField(label=_("涉及产品/业务"), required=False, max_length=100)
    people_involved = forms.CharField(label=_("涉及人员"), required=False, max_length=200)
    # Only when the call is logged after it ended: deadlines count from this. Empty: now.
    received_at = forms.DateTimeField(
        label=_("实际收到时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    # Required for a complaint only (clean): an inquiry, a suggestion or praise need not state a demand.
    demand = forms.CharField(
        label=_("客户诉求"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    perceived_severity = forms.ChoiceField(
        label=_("客户感受严重程度"), choices=PerceivedSeverity.choices, initial=PerceivedSeverity.MEDIUM
    )
    preferred_channel = forms.ChoiceField(
        label=_("希望的回复方式"), choices=ContactChannel.choices, initial=ContactChannel.PHONE
    )
    category = forms.ChoiceField(label=_("类别（可稍后分析时再定）"), required=False)
    restated = forms.BooleanField(
        label=_("已向客户复述并得到确认"),
        error_messages={"required": _("请先向客户复述问题和诉求，得到确认后再保存")},
    )

    # Service field → form field.
    SERVICE_FIELDS = {
        "customer.phone": "phone",
        "customer.name": "name",
        "customer.email": "email",
        "customer.account_no": "account_no",
        "customer.preferred_channel": "preferred_channel",
    }

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", gettext("（暂不分类）"))] + [
            (c.code, name_for_people(c)) for c in categories
        ]

    def clean(self):
        data = super().clean()
        data["kind"] = data.get("kind") or ContactKind.COMPLAINT
        if data["kind"] == ContactKind.COMPLAINT and not (data.get("demand") or "").strip():
            self.add_error("demand", _("投诉须记录客户诉求"))
        return data

    def intake_mapping(self, *, language: str) -> dict:
        """The channel adapters' common input shape (channels.base.intake_data_from_mapping)."""
        data = self.cleaned_data
        return {
            "channel": Channel.PHONE,
            "kind": data["kind"],
            "customer": {
                "name": data["name"],
                "phone": data["phone"],
                "email": data["email"] or "",
                "account_no": data["account_no"],
                "preferred_channel": data["preferred_channel"],
            },
            "title": data["title"],
            "description": data["description"],
            "demand": data["demand"],
            "occurred_at": data["occurred_at"],
            "received_at": data["received_at"],
            "place": data["place"],
            "product": data["product"],
            "people_involved": data["people_involved"],
            "perceived_severity": data["perceived_severity"],
            "category": data["category"],
            "language": language,
        }
