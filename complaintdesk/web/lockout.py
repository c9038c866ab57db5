"""Sign-in lockout, by django-axes (settings: AXES_*, from LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_SECONDS).

After LOGIN_FAILURE_LIMIT failed sign-ins for one username from one address, that pair is refused until
LOGIN_LOCKOUT_SECONDS after its last failure; a successful sign-in forgets the failures. Keyed on
username + address, so a stranger guessing from elsewhere cannot lock a colleague out of their own
desk. The attempts are axes' rows (in the admin, shared by every web process).

What axes does not know is here: the username as the lockout counts it, the client's address as the
rate limits see it, how long a pair stays locked, and the answer while locked — the sign-in page with
the reason next to the form, which `LoginForm` puts there.
"""

import ipaddress
import math

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from complaintdesk.common.ratelimit import client_ip
from complaintdesk.common.time import now


def login_username(request: HttpRequest, credentials: dict | None) -> str:
    """The username as counted: "Zhang.Wei " and "zhang.wei" are one account to guess at."""
    name = (credentials or {}).get("username")
    if name is None:
        name = request.POST.get("username", "")
    return str(name).strip().lower()


def login_address(request: HttpRequest) -> str | None:
    """The client's address as the rate limits see it (behind RATE_LIMIT_TRUSTED_PROXIES); None when it is
    not an IP address (axes stores it in an address column)."""
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def login_locked_seconds(request: HttpRequest, credentials: dict | None = None) -> int:
    """Seconds until the username of `credentials` may try again from the request's address (0: now)."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return 0
    last = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials),
        ip_address=getattr(request, "axes_ip_address", None),
    ).aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return 0
    return max(0, math.ceil((last + cool_off - now()).total_seconds()))


def lockout_response(
    request: HttpRequest, response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the sign-in page as the view rendered it (the form says why and for how
    long); elsewhere (the admin's sign-in) a short page in the reader's language."""
    if isinstance(response, HttpResponse) and getattr(request, "login_lockout_shown", False):
        return response
    minutes = max(1, math.ceil(login_locked_seconds(request, credentials) / 60))
    message = _("登录失败次数过多，该账号在此设备上已被暂时锁定，请在 %(minutes)d 分钟后再试。") % {
        "minutes": minutes
    }
    return HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
