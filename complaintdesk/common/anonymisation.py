"""The steps that take a case's personal data out of the records each app keeps about it, run by the
privacy retention job (`privacy.services.cases_anonymise`, `docs/privacy.md`) once the case's retention
has ended.

A registry in the ground layer so that every app can fill it from its `AppConfig.ready()` — the process
apps beside `privacy` (surveys, solutions, dispatch), the ones below it (inbox) and above it (archive,
regulation, channels) alike — without importing `privacy` or each other. Each step is called inside the
case's transaction, with the case locked, as

    step(complaint=<the case>, known=[(kind, value), …], redact=<text → text>)

`known` are the customer's own details (kind: name, phone, email, account_no, wechat_openid); `redact`
is the one de-personalisation (`scripts.personal.personal_data_replaced` with masks, through
`privacy.redaction.text_redacted`) bound to them, and takes further known values of the step's own
(`redact(text, known=[("name", handler)])`). A step changes only its own app's rows, writes nothing when
there is nothing to change (a second run is harmless) and writes no timeline event: the job writes one.

Records that belong to no case but keep a customer's personal data — an incident's messages to the
customers it concerned, care messages (outreach) — have their own retention. Their app registers a
retention step with `retention_step_register(name, step)`; the same daily job calls it after the cases, as
`step(at=<now>, batch=<rows>)`, again while it answers `remaining`. A step returns its counts as a dict
with `remaining` (bool: more is waiting), takes at most `batch` rows a call, commits what it did, and never
takes a row twice.
"""

from collections.abc import Callable, Iterable, Sequence

from django.db.models import Model

AnonymiseStep = Callable[..., object]
RetentionStep = Callable[..., dict]
_STEPS: dict[str, AnonymiseStep] = {}
_RETENTION_STEPS: dict[str, RetentionStep] = {}


def case_anonymise_step_register(name: str, step: AnonymiseStep) -> None:
    """Add (or replace, under the same name) a step; `name` says whose records it is, for the logs."""
    _STEPS[name] = step


def case_anonymise_steps() -> tuple[tuple[str, AnonymiseStep], ...]:
    """The registered steps as (name, step), in the order they were registered."""
    return tuple(_STEPS.items())


def retention_step_register(name: str, step: RetentionStep) -> None:
    """Add (or replace) a step of the daily job for records of no case: `step(at=…, batch=…) -> dict`."""
    _RETENTION_STEPS[name] = step


def retention_steps() -> tuple[tuple[str, RetentionStep], ...]:
    return tuple(_RETENTION_STEPS.items())


def rows_redact(rows: Iterable[Model], fields: Sequence[str], redact: Callable[[str], str]) -> int:
    """For a step: each of `rows` with the texts `fields` redacted, written only where a text changed (one
    UPDATE of those columns per row; no save() hooks, no signals). Returns how many rows changed."""
    changed = 0
    for row in rows:
        values = {}
        for name in fields:
            text = getattr(row, name) or ""
            redacted = redact(text)
            if redacted != text:
                values[name] = redacted
        if values:
            type(row)._default_manager.filter(pk=row.pk).update(**values)
            changed += 1
    return changed
