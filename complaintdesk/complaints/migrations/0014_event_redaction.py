"""A timeline event may be redacted once, when its case's personal data is anonymised (complaints.redaction):
two columns, and on PostgreSQL a narrow way through the append-only trigger.

The trigger (migration 0002) still refuses every UPDATE and DELETE, except an UPDATE made inside the function
`complaints_event_redact`, which is the only thing that sets the transaction-local flag the trigger looks for,
and even then only one that leaves the event's case, time, actor, kind, field and hash as they were, fills
`redacted_at` on an event not redacted before, of a case that has ended (已归档 or 已撤诉). The function runs
with its owner's rights (SECURITY DEFINER), so the application's role, which may not UPDATE the timeline
(common.dbroles), can redact through it and through nothing else.
"""

from django.conf import settings
from django.db import migrations, models

TRIGGER = """
CREATE OR REPLACE FUNCTION complaints_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND current_setting('complaints.event_redaction', true) = 'on'
       AND OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
       AND NEW.id = OLD.id AND NEW.complaint_id = OLD.complaint_id AND NEW.at = OLD.at
       AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id AND NEW.kind = OLD.kind
       AND NEW.field = OLD.field AND NEW.hash = OLD.hash THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'complaint events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION complaints_event_redact(
    p_ids bigint[], p_old_values text[], p_new_values text[], p_reasons text[], p_seals text[],
    p_at timestamptz
) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    changed integer;
BEGIN
    PERFORM set_config('complaints.event_redaction', 'on', true);
    UPDATE complaints_complaintevent AS e
       SET old_value = v.old_value, new_value = v.new_value, reason = v.reason,
           redaction_seal = v.seal, redacted_at = p_at
      FROM unnest(p_ids, p_old_values, p_new_values, p_reasons, p_seals)
           AS v (id, old_value, new_value, reason, seal),
           complaints_complaint AS c
     WHERE e.id = v.id AND e.redacted_at IS NULL
       AND c.id = e.complaint_id AND c.status IN ('closed', 'withdrawn');
    GET DIAGNOSTICS changed = ROW_COUNT;
    PERFORM set_config('complaints.event_redaction', 'off', true);
    RETURN changed;
END;
$$;
"""

REDACT_SIGNATURE = "complaints_event_redact(bigint[], text[], text[], text[], text[], timestamptz)"

# Back to migration 0002's trigger function: every UPDATE refused.
UNDO = """
DROP FUNCTION IF EXISTS complaints_event_redact(bigint[], text[], text[], text[], text[], timestamptz);
CREATE OR REPLACE FUNCTION complaints_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'complaint events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER, params=None)  # the "%" of RAISE is not a placeholder
        # Not every role that may connect (PostgreSQL grants EXECUTE to PUBLIC by default): the owner, and the
        # application's role, which common.dbroles grants it to after each migrate.
        schema_editor.execute(f"REVOKE EXECUTE ON FUNCTION {REDACT_SIGNATURE} FROM PUBLIC")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNDO, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0013_owner_unit_partial_indexes"),
        ("orgs", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="complaintevent",
            name="redacted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="去除个人信息时间"),
        ),
        migrations.AddField(
            model_name="complaintevent",
            name="redaction_seal",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=64, verbose_name="去除个人信息校验值"
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
