"""Shipped reply-checker rules and script library, and the loader the data migrations call.

The loader takes the model classes as arguments so that migrations can pass their historical models.
It only adds what is missing (matched by code): rules and scripts an admin has edited are left alone.
"""

import datetime as dt

from ..checking import Rule
from .library import DEFAULT_SCRIPTS
from .rules import DEFAULT_RULES

__all__ = ["DEFAULT_RULES", "DEFAULT_SCRIPTS", "default_rules", "rules_load", "scripts_load"]


def default_rules():
    """The shipped rules as the pure checker takes them (reasons untranslated): for tests and previews."""
    return [
        Rule(
            code=spec["code"],
            kind=spec["kind"],
            severity=spec["severity"],
            patterns=spec["patterns"],
            reason=spec["reason"],
            suggestion=spec["suggestion"],
            exceptions=spec["exceptions"],
            unless=spec["unless_patterns"],
            language=spec["language"],
        )
        for spec in DEFAULT_RULES
    ]


def rules_load(*, rule_model) -> int:
    existing = set(rule_model.objects.values_list("code", flat=True))
    rows = [rule_model(**spec) for spec in DEFAULT_RULES if spec["code"] not in existing]
    rule_model.objects.bulk_create(rows)
    return len(rows)


def scripts_load(*, script_model, version_model, at: dt.datetime) -> int:
    existing = set(script_model.objects.values_list("code", flat=True))
    added = 0
    for order, (code, stage, language, channel, title, body) in enumerate(DEFAULT_SCRIPTS):
        if code in existing:
            continue
        script = script_model.objects.create(
            code=code,
            title=title,
            stage=stage,
            language=language,
            channel=channel,
            sort_order=(order + 1) * 10,
            created_at=at,
            updated_at=at,
        )
        version = version_model.objects.create(
            script=script, number=1, body=body, note="默认话术", created_at=at
        )
        script.current_version = version
        script.save(update_fields=["current_version"])
        added += 1
    return added
