"""Admissibility hints (issue 15 item 7): what the agent is told about a case at intake — it arrived after
the pack's appeal window, or it may repeat an open case of the same customer about the same matter. A hint
never refuses anything: the case is taken in as usual and the agent decides.

- **Appeal window passed**: a rule of the case's pack with the clock 申诉期限 (anchored on the day the
  disputed matter occurred) whose period ended before the complaint was received. When it is not known
  whether the dispute is about fees, each window that has passed is named with its condition.
- **Possible duplicate**: an open case of the same customer in the same category, or an open case that the
  intelligence app linked as one this case repeats (same customer, account, phone or e-mail) when either
  category is not yet known. Only cases the reader may see are named.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from django.db import connections
from django.utils.translation import gettext as _

from complaintdesk.common.names import name_for_people
from complaintdesk.complaints.access import complaints_visible_where
from complaintdesk.complaints.models import Category, Complaint

from . import deadlines
from .models import Condition
from .selectors import complaint_pack_name, complaint_statutory_dues

APPEAL_WINDOW_PASSED = "appeal_window_passed"
POSSIBLE_DUPLICATE = "possible_duplicate"
DUPLICATES_SHOWN = 3


@dataclass(frozen=True)
class Hint:
    code: str  # for machines (API): appeal_window_passed | possible_duplicate
    text: str  # for people
    related: str = ""  # the other case's number (possible_duplicate)


def _period_words(amount: int, unit: deadlines.Unit) -> str:
    words = {
        deadlines.Unit.CALENDAR_DAYS: _("%(n)d 日"),
        deadlines.Unit.WORKING_DAYS: _("%(n)d 个工作日"),
        deadlines.Unit.MONTHS: _("%(n)d 个月"),
        deadlines.Unit.YEARS: _("%(n)d 年"),
    }
    return words[unit] % {"n": amount}


def _appeal_hints(complaint: Complaint) -> list[Hint]:
    if complaint.occurred_at is None:
        return []
    try:
        dues = complaint_statutory_dues(complaint=complaint)
    except deadlines.ExtensionRefused:
        return []
    lapsed = [
        d for d in dues if d.clock is deadlines.Clock.APPEAL_WINDOW and complaint.received_at >= d.due_at
    ]
    if not lapsed:
        return []
    pack = complaint_pack_name(complaint=complaint)
    hints = []
    for due in lapsed:
        values = {
            "pack": pack,
            "period": _period_words(due.amount, due.rule.unit),
            "day": due.last_day.isoformat(),
            "condition": Condition(due.condition.value).label,
        }
        if due.condition in (deadlines.Condition.FEE_DISPUTE, deadlines.Condition.OTHER_DISPUTE):
            text = (
                _(
                    "如属%(condition)s，本投诉收到时已超过%(pack)s规定的申诉期限（自争议事项发生之日起 %(period)s，"
                    "%(day)s 届满）。投诉已照常受理，请核实并向客户说明。"
                )
                % values
            )
        else:
            text = (
                _(
                    "本投诉收到时已超过%(pack)s规定的申诉期限（自争议事项发生之日起 %(period)s，%(day)s 届满）。"
                    "投诉已照常受理，请核实并向客户说明。"
                )
                % values
            )
        hints.append(Hint(code=APPEAL_WINDOW_PASSED, text=text))
    return hints


def _duplicates_sql(*, scope: str, category: bool) -> str:
    """The customer's other open cases in scope that may be the same matter, newest first: same category,
    or linked by the intelligence app as one this case repeats (its `RepeatLink`, read through the case
    model's reverse relation `repeated_by`: a sibling app's table is not imported) when the other's
    category is not known yet. Written out (common.fastsql): every API intake answers with these hints, and
    compiling the ORM query cost more than running it."""
    quote = connections["default"].ops.quote_name
    meta = Complaint._meta
    repeat = meta.get_field("repeated_by")
    link = repeat.related_model._meta

    def column(name: str, alias: str = "c", model_meta=meta) -> str:
        return f"{alias}.{quote(model_meta.get_field(name).column)}"

    case_id, category_id = column("id"), column("category")
    linked = (
        f"EXISTS (SELECT 1 FROM {quote(link.db_table)} r WHERE r.{quote(repeat.field.column)} = {case_id}"
        f" AND {column('complaint', 'r', link)} = %s)"
    )
    matter = f"({category_id} = %s OR ({linked} AND {category_id} IS NULL))" if category else linked
    category_meta = Category._meta
    return (
        f"SELECT {column('number')}, {column('title')}, {category_id},"
        f" {column('name', 'k', category_meta)}, {column('name_en', 'k', category_meta)}"
        f" FROM {quote(meta.db_table)} c LEFT JOIN {quote(category_meta.db_table)} k"
        f" ON {column('id', 'k', category_meta)} = {category_id}"
        f" WHERE {column('customer')} = %s AND {column('is_open')} = %s AND {case_id} <> %s"
        f"{' AND ' + scope if scope else ''} AND {matter}"
        f" ORDER BY {column('received_at')} DESC, {case_id} DESC LIMIT {DUPLICATES_SHOWN}"
    )


def _duplicate_hints(complaint: Complaint, user) -> list[Hint]:
    # A customer created with this case (intake says so on the case it returns) has no other case.
    if not complaint.customer_id or getattr(complaint, "customer_is_new", False):
        return []
    scope, scope_params = "", []
    if user is not None:
        visible = complaints_visible_where(user, alias="c")
        if visible is None:
            return []
        scope, scope_params = visible
    params = [complaint.customer_id, True, complaint.pk, *scope_params]
    if complaint.category_id:
        params += [complaint.category_id, complaint.pk]
    else:
        params += [complaint.pk]
    with connections["default"].cursor() as cursor:
        cursor.execute(_duplicates_sql(scope=scope, category=bool(complaint.category_id)), params)
        rows = cursor.fetchall()
    hints = []
    for number, title, category_id, name, name_en in rows:
        category = SimpleNamespace(name=name, name_en=name_en or "")
        values = {
            "number": number,
            "title": title,
            "category": name_for_people(category) if category_id else _("未分类"),
        }
        text = (
            _(
                "该客户还有未结投诉 %(number)s（%(title)s，%(category)s），可能与本投诉是同一事项。"
                "本投诉已照常受理，请核实后决定是否一并处理。"
            )
            % values
        )
        hints.append(Hint(code=POSSIBLE_DUPLICATE, text=text, related=number))
    return hints


def complaint_admissibility_hints(*, complaint: Complaint, user=None) -> list[Hint]:
    """What the agent should know about case `complaint` at intake (never a refusal). With `user`, only the
    cases that user may see are named."""
    return _appeal_hints(complaint) + _duplicate_hints(complaint, user)
