from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .services import COMMENT_MAX

STARS = [(n, str(n)) for n in range(5, 0, -1)]
NPS = [(n, str(n)) for n in range(0, 11)]
SOLVED = [("yes", pgettext_lazy("survey answer", "已解决")), ("no", _("没有解决"))]


class SurveyForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("您对这次处理满意吗？"),
        choices=STARS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择 1 到 5 颗星")},
    )
    solved = forms.ChoiceField(
        label=_("您的问题解决了吗？"),
        choices=SOLVED,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择问题是否已解决")},
    )
    nps = forms.TypedChoiceField(
        label=_("您有多大可能向亲友推荐我们？（0 = 不可能，10 = 非常可能，可不填）"),
        choices=NPS,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("还想对我们说什么？（可不填）"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
