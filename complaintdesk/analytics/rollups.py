"""Monthly rollups: the facts summed per month × unit × category × channel × kind × severity × complexity.
Rewritten one (month, unit) at a time, from the facts, so a rollup always equals the facts it sums."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q, Sum

from .facts import RollupKey
from .models import MEASURE_FIELDS, ComplaintFact, MonthlyRollup

GROUP_FIELDS = ("month", "org_unit_id", "category_id", "channel", "kind", "severity", "complexity")
_SUMS = {name: Sum(name) for name in MEASURE_FIELDS}


def _aggregate(facts) -> list[MonthlyRollup]:
    rows = facts.values(*GROUP_FIELDS).annotate(**{f"s_{k}": v for k, v in _SUMS.items()}).order_by()
    return [
        MonthlyRollup(
            **{g: row[g] for g in GROUP_FIELDS},
            **{name: row[f"s_{name}"] or 0 for name in MEASURE_FIELDS},
        )
        for row in rows
    ]


def rollups_refresh(*, keys: Iterable[RollupKey]) -> int:
    """Rewrite the rollup rows of these (month, unit) keys from the facts. Returns rows written."""
    by_month: dict = defaultdict(set)
    for month, unit_id in keys:
        by_month[month].add(unit_id)
    written = 0
    for month, unit_ids in sorted(by_month.items()):
        units = sorted(unit_ids)
        for i in range(0, len(units), 500):
            chunk = units[i : i + 500]
            with transaction.atomic():
                MonthlyRollup.objects.filter(month=month, org_unit_id__in=chunk).delete()
                rows = _aggregate(ComplaintFact.objects.filter(month=month, org_unit_id__in=chunk))
                MonthlyRollup.objects.bulk_create(rows, batch_size=1000)
            written += len(rows)
    return written


def rollups_rebuild() -> int:
    """Every rollup row again, summed from the facts in one INSERT … SELECT, in one transaction (readers
    see the old rows until it commits). Returns rows written."""
    table, facts = MonthlyRollup._meta.db_table, ComplaintFact._meta.db_table
    groups = ", ".join(GROUP_FIELDS)
    sums = ", ".join(f"SUM({name})" for name in MEASURE_FIELDS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"INSERT INTO {table} ({groups}, {', '.join(MEASURE_FIELDS)})"
            f" SELECT {groups}, {sums} FROM {facts} GROUP BY {groups}"
        )
        return cursor.rowcount


def rollup_matches_facts(*, q: Q | None = None) -> bool:
    """True when the rollup sums equal the fact sums (for checks and tests)."""
    q = q or Q()
    return (ComplaintFact.objects.filter(q).aggregate(**_SUMS)) == (
        MonthlyRollup.objects.filter(q).aggregate(**_SUMS)
    )
