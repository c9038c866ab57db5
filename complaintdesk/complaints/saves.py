"""Writing a case's changed columns, at once or — inside the worker's SLA batch — together with the batch's
other cases at its end (issue 17).

`complaint_save(complaint, fields)` is how the complaint services write the columns a step changed. Inside
`complaint_saves_kept()` (the SLA batch, which holds every one of its cases locked) the fields are only
noted; `complaint_saves_flush()` writes each case's noted columns with the values the instance has then,
in one UPDATE per set of columns (`common.fastsql.update_instances`), before the batch commits. A case whose handling fails is dropped (`complaint_saves_drop`): its
savepoint rolled back what it changed. Nothing is read back from the database between the save and the
flush but by the case's own handling, which reads the instance.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from complaintdesk.common import fastsql

from .models import Complaint

_kept = threading.local()


@contextmanager
def complaint_saves_kept():
    """Inside: `complaint_save` notes the fields; the block's owner calls `complaint_saves_flush` before
    its transaction commits (what is left unflushed at the end of the block is an error)."""
    if getattr(_kept, "pending", None) is not None:
        yield
        return
    _kept.pending = {}
    try:
        yield
        if _kept.pending:
            raise RuntimeError("complaint columns kept but never written")
    finally:
        _kept.pending = None


def complaint_save(complaint: Complaint, fields: list[str]) -> None:
    """`complaint.save(update_fields=fields)`, or noted for the batch's flush inside `complaint_saves_kept`."""
    pending = getattr(_kept, "pending", None)
    if pending is None:
        complaint.save(update_fields=fields)
        return
    noted = pending.get(complaint.pk)
    if noted is None:
        pending[complaint.pk] = (complaint, set(fields))
    else:
        noted[1].update(fields)


def complaint_saves_drop(complaint_id: int) -> None:
    """The case's handling failed and its savepoint was rolled back: nothing of it is written."""
    pending = getattr(_kept, "pending", None)
    if pending is not None:
        pending.pop(complaint_id, None)


def complaint_saves_flush() -> int:
    """Write the noted columns of every case, one statement per set of columns. Returns how many cases."""
    pending = getattr(_kept, "pending", None)
    if not pending:
        return 0
    _kept.pending = {}
    groups: dict[tuple[str, ...], list[Complaint]] = {}
    for complaint, fields in pending.values():
        columns = tuple(sorted({Complaint._meta.get_field(name).attname for name in fields}))
        groups.setdefault(columns, []).append(complaint)
    for columns, cases in groups.items():
        if len(cases) == 1:
            cases[0].save(update_fields=list(columns))
            continue
        for start in range(0, len(cases), 500):
            fastsql.update_instances(cases[start : start + 500], columns)
    return len(pending)
