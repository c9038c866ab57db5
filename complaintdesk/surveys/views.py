"""The public survey pages: /s/<token> (the form), /s/thanks/ and the refusal page. No login: the link is the
key. Mobile first, Chinese first (the customer's language, switchable), CSRF on, rate-limited per address."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from complaintdesk.common.errors import InvalidInput
from complaintdesk.common.ratelimit import client_ip, ratelimit_hit
from complaintdesk.scripts.services import brand_name

from . import selectors, services
from .forms import SurveyForm

LANGUAGES = ("zh-hans", "en")
REFUSED_STATUS = {"invalid": 404, "used": 410, "expired": 410}


def _language(request: HttpRequest, default: str) -> str:
    wanted = request.GET.get("lang") or request.POST.get("lang") or default
    return wanted if wanted in LANGUAGES else LANGUAGES[0]


def _limited(request: HttpRequest) -> HttpResponse | None:
    retry_after = ratelimit_hit(scope="survey", key=client_ip(request))
    if not retry_after:
        return None
    response = render(
        request, "surveys/limited.html", {"seconds": retry_after, "brand": brand_name()}, status=429
    )
    response["Retry-After"] = str(retry_after)
    return response


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    return render(
        request,
        "surveys/refused.html",
        {"reason": reason, "brand": brand_name()},
        status=REFUSED_STATUS.get(reason, 404),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    if limited := _limited(request):
        return limited
    link = selectors.survey_link(token=token)
    default = link.invitation.language if link.invitation else LANGUAGES[0]
    language = _language(request, default)
    with translation.override(language):
        if link.refused:
            return _refused(request, link.refused)
        complaint = link.invitation.complaint
        context = {
            "brand": brand_name(),
            "number": complaint.number,
            "title": complaint.title,
            "lang": language,
            "other_lang": "en" if language != "en" else "zh-hans",
        }
        if request.method == "GET":
            return render(request, "surveys/answer.html", {**context, "form": SurveyForm()})
        form = SurveyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.survey_answer_submit(
                    token=token,
                    stars=data["stars"],
                    comment=data["comment"],
                    nps=data["nps"],
                    solved=data["solved"] == "yes",
                )
            except services.SurveyLinkRefused as refused:
                return _refused(request, refused.reason)
            except InvalidInput as error:
                for name, messages in error.fields.items():
                    for message in messages:
                        form.add_error(name if name in form.fields else None, message)
            else:
                return redirect(reverse("surveys:thanks") + f"?lang={language}")
        return render(request, "surveys/answer.html", {**context, "form": form}, status=422)


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    with translation.override(_language(request, LANGUAGES[0])):
        return render(request, "surveys/thanks.html", {"brand": brand_name()})
