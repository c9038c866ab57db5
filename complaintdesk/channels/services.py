"""Writes of the channels app besides intake: the service accounts unauthenticated channels act as."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from complaintdesk.accounts.access import unit_visible_to
from complaintdesk.accounts.models import Role, User
from complaintdesk.accounts.services import user_create
from complaintdesk.common.errors import InvalidInput
from complaintdesk.complaints.models import Channel
from complaintdesk.orgs.models import OrgUnit, UnitKind
from complaintdesk.orgs.selectors import orgunits_active_of_kind

CHANNEL_ACCOUNT_PREFIX = "channel-"


def _intake_unit() -> OrgUnit:
    code = getattr(settings, "INTAKE_DEFAULT_UNIT", "")
    unit = (OrgUnit.objects.filter(code=code, is_active=True).first() if code else None) or (
        OrgUnit.objects.filter(parent__isnull=True, is_active=True).order_by("id").first()
    )
    if unit is None:
        raise InvalidInput({"org_unit": [_("还没有组织机构，无法受理投诉")]})
    return unit


def channel_actor(*, channel: str) -> User:
    """The account a customer-facing channel (web form, WeChat, email) acts as: an API client of the
    intake unit (INTAKE_DEFAULT_UNIT, else the root of the tree), without password or token, so that
    the timeline says which channel wrote. Created on first use."""
    if channel not in Channel.values:
        raise ValueError(channel)
    username = f"{CHANNEL_ACCOUNT_PREFIX}{channel}"
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    unit = _intake_unit()
    try:
        with transaction.atomic():
            return user_create(
                username=username,
                password=None,
                role=Role.API_CLIENT,
                org_unit=unit,
                display_name=_("%(channel)s渠道（系统）") % {"channel": Channel(channel).label},
            )
    except (InvalidInput, IntegrityError):  # created by another process meanwhile
        return User.objects.get(username=username)


def is_channel_account(user) -> bool:
    """Whether `user` is the account of a customer-facing channel (channel_actor), not a person or an
    integration."""
    return user.role == Role.API_CLIENT and user.username.startswith(CHANNEL_ACCOUNT_PREFIX)


def central_desk_unit(*, actor) -> OrgUnit | None:
    """Where a case received centrally lands when the customer names no unit (the web form's 不确定, a
    WeChat message, an e-mail): the customer service centre — the first active unit of that kind in the
    tree — whose agents hand it on to the unit responsible (complaints.transfers). None when there is no
    centre the channel account may file into: the case stays in the account's own unit, as before."""
    for unit in orgunits_active_of_kind(UnitKind.SERVICE_CENTRE):
        if unit_visible_to(actor, unit):
            return unit
    return None
