"""Customers: normalising contact details and finding the person we already know. What intake accepts
of them is checked by complaints.validation.IntakeCustomerFields."""

from functools import cache

import phonenumbers
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from complaintdesk.common import fastsql

from .models import Customer


def phone_normalise(raw: str) -> str:
    """E.164 form of a mainland mobile, a landline with area code, or an international number.

    Raises ValueError with a message for people when the number cannot be a real one.
    """
    try:
        parsed = phonenumbers.parse(raw, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValueError(_("无法识别的电话号码")) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(_("电话号码无效，请检查位数和区号"))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_for_people(value: str) -> str:
    """A stored (E.164) phone number as people read it on a page: one of the home region
    (PHONE_DEFAULT_REGION) in its national groups, 138 1234 5678 / 010 6512 3456; another with its country
    code, +44 20 7946 0958. A masked number (common.masking: 138****5678) or anything that does not parse
    is shown as it is. Links to dial keep the E.164 form."""
    value = (value or "").strip()
    if not value or "*" in value:
        return value
    try:
        parsed = phonenumbers.parse(value, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_possible_number(parsed):
        return value
    home = phonenumbers.region_code_for_number(parsed) == settings.PHONE_DEFAULT_REGION
    style = phonenumbers.PhoneNumberFormat.NATIONAL if home else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, style)


def title_from_name(name: str) -> str:
    if name.endswith("女士") or name.endswith("小姐"):
        return Customer.Title.MS
    if name.endswith("先生"):
        return Customer.Title.MR
    return Customer.Title.NONE


MATCH_FIELDS = ("phone", "email", "account_no", "wechat_openid")
MATCH_CANDIDATES = 50


@cache
def _match_sql(keys: tuple[str, ...]) -> str:
    """The candidates query for these keys: one statement over the indexed columns, written out
    (common.fastsql): every intake runs it."""
    quote = connection.ops.quote_name
    condition = " OR ".join(f"{quote(Customer._meta.get_field(key).column)} = %s" for key in keys)
    return (
        f"SELECT {', '.join(fastsql.columns(Customer))} FROM {quote(Customer._meta.db_table)} "
        f"WHERE {condition} ORDER BY {quote(Customer._meta.pk.column)} LIMIT {MATCH_CANDIDATES}"
    )


def _candidates(keys: tuple[str, ...], clean: dict) -> list[Customer]:
    with connection.cursor() as cursor:
        cursor.execute(_match_sql(keys), [clean[key] for key in keys])
        rows = cursor.fetchall()
    return [fastsql.instance_from_row(Customer, row) for row in rows]


def customer_match_or_create(*, clean: dict, language: str, verified: bool) -> tuple[Customer, bool]:
    """The known customer with the same phone, email, account or openid (in that order), else a new one;
    and whether it is new (then the customer has no other case).

    `verified`: the details come from someone who vouches for them (a member of staff taking the case
    down). Only then are details the known customer lacks added to their record. Details from a channel
    that does not prove who is writing (the public web form, e-mail, WeChat, an integration's API call)
    never change a known customer: anyone can type someone else's phone number next to their own
    e-mail. They stay on the complaint (Complaint.contact_*); staff can adopt them with a reason
    (customer_contact_update)."""
    keys = tuple(field for field in MATCH_FIELDS if clean[field])
    customer = None
    if keys:
        # One query over the four indexed columns; the order of MATCH_FIELDS decides between candidates.
        candidates = _candidates(keys, clean)
        for field in keys:
            if len(candidates) < MATCH_CANDIDATES:
                customer = next((c for c in candidates if getattr(c, field) == clean[field]), None)
            else:  # more people share these details than one query brings back: ask field by field
                customer = Customer.objects.filter(**{field: clean[field]}).order_by("id").first()
            if customer:
                break
    if customer is None:
        customer = Customer(title=title_from_name(clean["name"]), language=language, **clean)
        return fastsql.insert_instance(customer), True
    if not verified:
        return customer, False
    missing = [f for f in MATCH_FIELDS if clean[f] and not getattr(customer, f)]
    for field in missing:
        setattr(customer, field, clean[field])
    if missing:
        customer.save(update_fields=missing)
    return customer, False


CONTACT_FIELDS = ("phone", "email", "wechat_openid")


def case_contact(complaint, field: str) -> str:
    """How to reach the customer of this case on one kind of contact: the detail given with the case,
    else the one on the customer's record. The one place replies, acknowledgements and codes look."""
    if field not in CONTACT_FIELDS:
        raise ValueError(field)
    return getattr(complaint, f"contact_{field}", "") or getattr(complaint.customer, field) or ""


def case_preferred_channel(complaint) -> str:
    """How the customer of this case wants to hear from us: as chosen with the case, else the record's."""
    return complaint.contact_channel or complaint.customer.preferred_channel


def case_contact_name(complaint) -> str:
    """Who to address: the record's name when the case came from the record's own contacts; the name given
    with the case when it came with a contact the record does not have (perhaps someone else: never
    greet them with the record holder's name)."""
    customer = complaint.customer
    foreign = any(
        getattr(complaint, f"contact_{field}", "")
        and getattr(complaint, f"contact_{field}") != getattr(customer, field)
        for field in CONTACT_FIELDS
    )
    return (complaint.contact_name if foreign else "") or customer.name


def case_contact_is_known(complaint, *, field: str, value: str) -> bool:
    """True when `value` is a contact of this case: given with it, or on its customer's own record
    (which only staff-vouched details reach). A detail given with another case of the same customer
    does not count: one-time codes and e-mail replies are bound to the case."""
    if field not in CONTACT_FIELDS or not value:
        return False
    wanted = value.strip().lower()
    known = (getattr(complaint, f"contact_{field}", ""), getattr(complaint.customer, field))
    return any(candidate and candidate.strip().lower() == wanted for candidate in known)
