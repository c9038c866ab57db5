"""The portal's forms render the fields and carry errors back to them; they decide nothing. Every field is
optional here: what is required, how long a text may be, what a phone number is — the services (intake)
say, in one place for every channel. The `required` / `maxlength` attributes only help the browser."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaintdesk.complaints.models import ContactChannel, PerceivedSeverity
from complaintdesk.complaints.states import ContactKind


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PortalForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # the label stands above its field: no colon
        super().__init__(*args, **kwargs)


def _text(label, *, maxlength: int, required: bool = False, **attrs):
    attrs = {"maxlength": maxlength, **attrs}
    if required:
        attrs["required"] = True
    return forms.CharField(label=label, required=False, widget=forms.TextInput(attrs=attrs))


def _area(label, *, maxlength: int, required: bool = False, rows: int = 4, **attrs):
    attrs = {"maxlength": maxlength, "rows": rows, **attrs}
    if required:
        attrs["required"] = True
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs=attrs))


# What the customer came for, in their words (complaints.states.ContactKind).
CONTACT_KINDS = [
    (ContactKind.COMPLAINT.value, _("投诉：遇到了问题")),
    (ContactKind.INQUIRY.value, _("咨询：想了解情况")),
    (ContactKind.SUGGESTION.value, _("建议：希望我们改进")),
    (ContactKind.PRAISE.value, _("表扬：感谢我们的员工")),
]

REPLY_CHANNELS = [
    (c.value, c.label) for c in (ContactChannel.PHONE, ContactChannel.SMS, ContactChannel.EMAIL)
]


class ComplaintForm(PortalForm):
    kind = forms.ChoiceField(
        label=_("您想"),
        required=False,
        choices=CONTACT_KINDS,
        initial=ContactKind.COMPLAINT,
        widget=forms.RadioSelect,
    )
    name = _text(_("您的姓名或称呼"), maxlength=100, required=True, autocomplete="name")
    phone = _text(_("手机号"), maxlength=30, type="tel", inputmode="tel", autocomplete="tel")
    email = _text(_("邮箱"), maxlength=254, type="email", inputmode="email", autocomplete="email")
    preferred_channel = forms.ChoiceField(
        label=_("希望我们怎样联系您"), required=False, choices=REPLY_CHANNELS
    )
    account_no = _text(_("账号或订单号（选填）"), maxlength=64)
    title = _text(_("一句话说明问题"), maxlength=200, required=True)
    description = _area(_("发生了什么"), maxlength=20_000, required=True, rows=6)
    demand = _area(_("您的诉求：希望我们如何处理（投诉必填）"), maxlength=5_000, rows=3)
    occurred_at = forms.CharField(
        label=_("发生时间（选填）"), required=False, widget=forms.TextInput(attrs={"type": "datetime-local"})
    )
    place = _text(_("发生地点（选填）"), maxlength=200)
    org_unit = forms.ChoiceField(label=_("办理的网点或门店（选填）"), required=False, choices=[])
    product = _text(_("涉及的产品或业务（选填）"), maxlength=100)
    people_involved = _text(_("涉及的人员（选填）"), maxlength=200)
    perceived_severity = forms.ChoiceField(
        label=_("您觉得问题有多严重"),
        required=False,
        choices=PerceivedSeverity.choices,
        initial=PerceivedSeverity.MEDIUM,
    )
    files = forms.FileField(
        label=_("照片或 PDF（选填，可多选）"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf"}),
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = [("", _("不确定 / 不选择")), *units]


class TrackForm(PortalForm):
    number = _text(
        _("受理单号"),  # the kind of the case is not known yet: a word for every kind
        maxlength=32,
        required=True,
        autocomplete="off",
        placeholder="TS20261123000001",
        autocapitalize="characters",
    )
    contact = _text(_("登记时留下的手机号或邮箱"), maxlength=254, required=True, autocomplete="tel")


class VerifyForm(PortalForm):
    number = _text(
        _("受理单号"), maxlength=32, required=True, autocomplete="off", autocapitalize="characters"
    )
    code = _text(
        _("验证码"),
        maxlength=12,
        required=True,
        inputmode="numeric",
        autocomplete="one-time-code",
        pattern="[0-9０-９ ]*",
    )


class MessageForm(PortalForm):
    text = _area(_("补充说明"), maxlength=20_000, required=True, rows=4)
    files = forms.FileField(
        label=_("照片或 PDF（选填，可多选）"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf"}),
    )


class ObjectionForm(PortalForm):
    reason = _area(_("您对处理结果的意见"), maxlength=2_000, required=True, rows=3)


class AcceptForm(PortalForm):
    note = _area(_("您想说的话（选填）"), maxlength=2_000, rows=2)


class WithdrawForm(PortalForm):
    reason = _area(_("撤回原因（选填）"), maxlength=2_000, rows=2)
    confirm = forms.BooleanField(
        label=_("我确认撤回，撤回后不能恢复"),
        required=False,
        widget=forms.CheckboxInput(attrs={"required": True}),
    )
