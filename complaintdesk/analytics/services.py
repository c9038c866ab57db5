"""Writes: the incremental sync of facts and rollups, the rebuild, customers served (entry and import),
the scorecard's weights and contribution scores."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Annotated

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, Field

from complaintdesk.common.errors import InvalidInput
from complaintdesk.common.time import now
from complaintdesk.common.validation import said, validated
from complaintdesk.complaints.models import ComplaintEvent
from complaintdesk.orgs.models import OrgUnit

from .facts import facts_refresh
from .models import ComplaintFact, ContributionScore, CustomersServed, ScorecardWeights, SyncState
from .rebuild import facts_rebuild
from .rollups import rollups_rebuild, rollups_refresh

SYNC_NAME = "sync"
# Events can commit out of id order (two transactions); re-reading the last ones written in the last
# minutes catches a late commit. Refreshing a fact twice is harmless.
SYNC_OVERLAP_EVENTS = 1000
SYNC_OVERLAP_TIME = dt.timedelta(minutes=10)
MAX_IMPORT_ROWS = 20000


@dataclass(frozen=True)
class SyncResult:
    complaints: int
    rollup_rows: int
    last_event_id: int

    def as_dict(self) -> dict:
        return {
            "complaints": self.complaints,
            "rollup_rows": self.rollup_rows,
            "last_event_id": self.last_event_id,
        }


def sync_interval() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "ANALYTICS_SYNC_INTERVAL_SECONDS", 300))


def analytics_sync(*, at: dt.datetime | None = None) -> SyncResult:
    """Bring facts and rollups up to date: the complaints with timeline events since the last run (every
    change to a case writes one: status, assignment, survey, compensation, escalation, work order) and
    those whose undecided deadline has passed."""
    at = at or now()
    state, _created = SyncState.objects.get_or_create(name=SYNC_NAME)
    max_id = ComplaintEvent.objects.aggregate(m=Max("id"))["m"] or 0
    since = state.last_run_at - SYNC_OVERLAP_TIME if state.last_run_at else None
    events = ComplaintEvent.objects.filter(id__gt=state.last_event_id, id__lte=max_id)
    ids = set(events.values_list("complaint_id", flat=True))
    if since is not None and state.last_event_id:
        late = ComplaintEvent.objects.filter(
            id__gt=max(state.last_event_id - SYNC_OVERLAP_EVENTS, 0),
            id__lte=state.last_event_id,
            at__gte=since,
        )
        ids.update(late.values_list("complaint_id", flat=True))
    ids.update(ComplaintFact.objects.filter(pending_until__lte=at).values_list("complaint_id", flat=True))
    keys = facts_refresh(complaint_ids=ids, at=at)
    written = rollups_refresh(keys=keys)
    result = SyncResult(complaints=len(ids), rollup_rows=written, last_event_id=max_id)
    SyncState.objects.filter(name=SYNC_NAME).update(
        last_event_id=max_id, last_run_at=at, last_result={"at": at.isoformat(), **result.as_dict()}
    )
    return result


def analytics_rebuild(*, at: dt.datetime | None = None, progress=None, workers: int = 1) -> dict:
    """Every fact and rollup row again (after a change of definitions, or to repair); `workers` processes
    at once on PostgreSQL. The sync then continues from the newest event."""
    at = at or now()
    max_id = ComplaintEvent.objects.aggregate(m=Max("id"))["m"] or 0
    facts = facts_rebuild(at=at, progress=progress, workers=workers)
    rows = rollups_rebuild()
    analytics_sync_mark(last_event_id=max_id, at=at)
    return {"facts": facts, "rollup_rows": rows, "last_event_id": max_id}


def analytics_sync_mark(*, last_event_id: int, at: dt.datetime) -> None:
    """Facts and rollups are up to date with every event up to `last_event_id` as of `at` (after a
    rebuild): the sync continues from there instead of refreshing every case again."""
    SyncState.objects.update_or_create(
        name=SYNC_NAME, defaults={"last_event_id": last_event_id, "last_run_at": at}
    )


# Customers served ---------------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})(?:月)?(?:[-/.]\d{1,2}(?:日)?)?$")
_HEADERS = {
    "unit": {"unit", "unit_code", "机构", "机构编码"},
    "month": {"month", "月份"},
    "customers": {"customers", "customers_served", "服务客户数"},
}


def parse_month(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    match = _MONTH.match(str(value or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return dt.date(year, month, 1) if 1 <= month <= 12 else None


@transaction.atomic
def customers_served_set(*, org_unit: OrgUnit, month: dt.date, customers: int, actor, source: str = "manual"):
    if customers < 0:
        raise InvalidInput({"customers": [_("服务客户数不能为负数")]})
    row, _created = CustomersServed.objects.update_or_create(
        org_unit=org_unit,
        month=month.replace(day=1),
        defaults={"customers": customers, "source": source, "updated_by": actor, "updated_at": now()},
    )
    return row


def _table_rows(*, content: bytes, filename: str) -> list[list]:
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # any broken workbook is the user's file, not our error
            raise InvalidInput({"file": [_("无法读取 Excel 文件")]}) from exc
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput({"file": [_("CSV 文件须为 UTF-8 编码")]}) from exc
    return [row for row in csv.reader(io.StringIO(text))]


def customers_served_import(*, content: bytes, filename: str, actor) -> int:
    """Import a CSV or Excel table with the columns 机构编码 (unit), 月份 (month, e.g. 2026-03) and
    服务客户数 (customers). Everything is checked first; one bad row writes nothing. Returns rows written."""
    rows = [r for r in _table_rows(content=content, filename=filename) if any(c not in (None, "") for c in r)]
    if not rows:
        raise InvalidInput({"file": [_("文件是空的")]})
    header = [str(c or "").strip().lower() for c in rows[0]]
    columns = {}
    for key, names in _HEADERS.items():
        matches = [i for i, name in enumerate(header) if name in names]
        if not matches:
            raise InvalidInput({"file": [_("缺少列：%(column)s") % {"column": sorted(names)[0]}]})
        columns[key] = matches[0]
    body = rows[1:]
    if len(body) > MAX_IMPORT_ROWS:
        raise InvalidInput({"file": [_("一次最多导入 %(n)d 行") % {"n": MAX_IMPORT_ROWS}]})
    codes = {str(r[columns["unit"]] or "").strip() for r in body if len(r) > columns["unit"]}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    errors, parsed, seen = [], [], set()
    for line, row in enumerate(body, start=2):
        cells = {key: (row[index] if len(row) > index else None) for key, index in columns.items()}
        code = str(cells["unit"] or "").strip()
        month = parse_month(cells["month"])
        raw = cells["customers"]
        try:
            customers = int(str(raw).strip().replace(",", "")) if raw not in (None, "") else None
        except ValueError:
            customers = None
        if code not in units:
            errors.append(_("第 %(line)d 行：机构编码 %(code)s 不存在") % {"line": line, "code": code})
        elif month is None:
            errors.append(_("第 %(line)d 行：月份格式应为 2026-03") % {"line": line})
        elif customers is None or customers < 0:
            errors.append(_("第 %(line)d 行：服务客户数应为不小于 0 的整数") % {"line": line})
        elif (code, month) in seen:
            errors.append(_("第 %(line)d 行：机构与月份重复") % {"line": line})
        else:
            seen.add((code, month))
            parsed.append((units[code], month, customers))
    if errors:
        raise InvalidInput({"file": errors[:20]})
    with transaction.atomic():
        for unit, month, customers in parsed:
            customers_served_set(
                org_unit=unit, month=month, customers=customers, actor=actor, source="import"
            )
    return len(parsed)


# Scorecards ---------------------------------------------------------------------------------------

Weight = Annotated[int, Field(strict=True, ge=0, le=100), said(gettext_lazy("权重应为 0–100 的整数"))]


class ScorecardWeightsInput(BaseModel):
    attitude: Weight
    efficiency: Weight
    feedback: Weight
    contribution: Weight


def scorecard_weights_get() -> ScorecardWeights:
    return ScorecardWeights.objects.filter(pk=1).first() or ScorecardWeights(pk=1)


@transaction.atomic
def scorecard_weights_set(*, attitude: int, efficiency: int, feedback: int, contribution: int, actor):
    values = validated(
        ScorecardWeightsInput,
        {"attitude": attitude, "efficiency": efficiency, "feedback": feedback, "contribution": contribution},
    ).model_dump()
    if sum(values.values()) != 100:
        raise InvalidInput({"__all__": [_("四项权重之和必须为 100")]})
    row, _created = ScorecardWeights.objects.update_or_create(
        pk=1, defaults={**values, "updated_by": actor, "updated_at": now()}
    )
    return row


@transaction.atomic
def contribution_score_set(*, agent, month: dt.date, score: int, note: str = "", actor) -> ContributionScore:
    if not 0 <= score <= 100:
        raise InvalidInput({"score": [_("得分应为 0–100")]})
    row, _created = ContributionScore.objects.update_or_create(
        agent=agent,
        month=month.replace(day=1),
        defaults={"score": score, "note": note, "entered_by": actor, "entered_at": now()},
    )
    return row
