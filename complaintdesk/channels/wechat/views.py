"""The official account's server URL: /channels/wechat/callback.

GET is WeChat's handshake when the URL is configured (answer `echostr` if the signature is right);
POST is a message or event, answered within WeChat's 5 s with a passive reply (or "success").
A bad signature is 403 (429 once an address has too many) and stores nothing; a body that is not a
WeChat message is 400 and stores nothing.
"""

import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from complaintdesk.common.problems import too_many_requests
from complaintdesk.common.ratelimit import client_ip, ratelimit_hit
from complaintdesk.common.validation import whole_number_typed

from .adapter import WeChatChannelAdapter
from .protocol import (
    BODY_MAX_BYTES,
    BadMessage,
    BadSignature,
    callback_config,
    message_read,
    reply_encrypt,
    signature_verify,
)
from .services import WeChatAnswer, too_frequent_text, wechat_message_receive

logger = logging.getLogger(__name__)

BAD_SIGNATURE_SCOPE = "wechat-bad-signature"
OPENID_SCOPE = "wechat-openid"
ECHOSTR_MAX = 256


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    logger.warning("wechat callback refused from %s: %s", client_ip(request), reason)
    retry_after = ratelimit_hit(scope=BAD_SIGNATURE_SCOPE, key=client_ip(request))
    if retry_after:
        return too_many_requests(retry_after=retry_after)
    return HttpResponse("forbidden", status=403, content_type="text/plain")


def _bad_request(request: HttpRequest, reason: str) -> HttpResponse:
    logger.warning("wechat callback: unreadable message from %s: %s", client_ip(request), reason)
    return HttpResponse(f"bad request: {reason}", status=400, content_type="text/plain")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def wechat_callback(request: HttpRequest) -> HttpResponse:
    config = callback_config()
    if not config.token:
        return HttpResponse("WeChat callback not configured", status=503, content_type="text/plain")
    params = request.GET
    timestamp, nonce = params.get("timestamp", ""), params.get("nonce", "")
    try:
        signature_verify(
            config=config, signature=params.get("signature", ""), timestamp=timestamp, nonce=nonce
        )
    except BadSignature as error:
        return _refused(request, str(error))

    if request.method == "GET":
        echostr = params.get("echostr", "")
        if not echostr or len(echostr) > ECHOSTR_MAX:
            return _bad_request(request, "echostr")
        return HttpResponse(echostr, content_type="text/plain")

    declared_length = whole_number_typed(request.META.get("CONTENT_LENGTH") or "0")
    if declared_length is None or declared_length > BODY_MAX_BYTES:
        return HttpResponse("body too large", status=413, content_type="text/plain")
    try:
        message = message_read(config=config, body=request.body, params=params)
    except BadSignature as error:
        return _refused(request, str(error))
    except BadMessage as error:
        return _bad_request(request, error.reason)

    if ratelimit_hit(scope=OPENID_SCOPE, key=message.source):
        answer = WeChatAnswer(text=too_frequent_text())
    else:
        answer = wechat_message_receive(message=message, append_window_days=config.append_window_days)
    if not answer.text:
        return HttpResponse("success", content_type="text/plain")
    reply = WeChatChannelAdapter().send_reply(complaint=answer.complaint, text=answer.text, message=message)
    xml = reply.detail["xml"]
    if config.encrypted:
        xml = reply_encrypt(config=config, xml=xml, nonce=nonce, timestamp=timestamp)
    return HttpResponse(xml, content_type="application/xml; charset=utf-8")
