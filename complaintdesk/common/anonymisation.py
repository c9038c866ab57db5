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
"""

from collections.abc import Callable, Iterable, Sequence

from django.db.models import Model

AnonymiseStep = Callable[..., object]
_STEPS: dict[str, AnonymiseStep] = {}


def case_anonymise_step_register(name: str, step: AnonymiseStep) -> None:
    """Add (or replace, under the same name) a step; `name` says whose records it is, for the logs."""
    _STEPS[name] = step


def case_anonymise_steps() -> tuple[tuple[str, AnonymiseStep], ...]:
    """The registered steps as (name, step), in the order they were registered."""
    return tuple(_STEPS.items())


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
