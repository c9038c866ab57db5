"""The case's clocks as the complaint services see them: a seam that the sla app fills (SlaConfig.ready()).

The complaint services move deadlines at the points where a case changes (intake, a change of status,
the analysis) but do not compute them: policies, working calendars, pauses and timer rows are the sla
app's, the layer above. Intake computes the deadlines before the case's row exists, so `refresh` returns
a plan that is handed back to `created` once the row is inserted (nothing is stashed on the instance).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CaseClocks:
    # (*, complaint, at) -> plan: set the due times on the instance (no save); a saved case's timer rows
    # follow in the same transaction. The plan is for `created`.
    refresh: Callable[..., object]
    # (*, complaint, at, plan): the case's row was just inserted; its timer rows follow the plan.
    created: Callable[..., None]
    # (*, complaint, at): the clocks stop while the case waits for the customer (when the policy says so).
    pause: Callable[..., None]
    # (*, complaint, at): they run again.
    resume: Callable[..., None]


_clocks: list[CaseClocks] = []


def case_clocks_register(clocks: CaseClocks) -> None:
    """Called from the sla app's AppConfig.ready(); one provider."""
    _clocks[:] = [clocks]


def case_clocks() -> CaseClocks:
    if not _clocks:
        raise RuntimeError("No app provides the case's clocks (complaintdesk.sla is not installed).")
    return _clocks[0]
