"""A timeline redaction may only take information out (complaints.redaction, `docs/privacy.md` "The timeline").

Migration 0014 let the function `complaints_event_redact` replace an ended case's event texts once with any
text. From here it refuses, with an exception and nothing written, a replacement that adds anything: each
new text must be no longer than the text it replaces and, once the marks the de-personalisation writes are
taken out (runs of '*', a '*' run's following space as in "**** 1234", 【地址】, （已匿名化）), what is left
must be a subsequence of the original — the original with characters deleted, never a character it did not
have in that place. `complaints_redaction_removes_only(original, replacement)` is that test, in one place;
`complaints.redaction.redaction_removes_only` is the same rule in Python (SQLite has no function).
"""

from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION complaints_redaction_removes_only(p_original text, p_replacement text)
RETURNS boolean LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp AS $$
DECLARE
    original text[];
    rest text[];
    n integer;
    i integer := 1;
    j integer := 1;
BEGIN
    IF p_replacement IS NULL THEN
        RETURN p_original IS NULL;
    END IF;
    IF p_replacement = coalesce(p_original, '') THEN
        RETURN true;
    END IF;
    IF char_length(p_replacement) > char_length(coalesce(p_original, '')) THEN
        RETURN false;
    END IF;
    original := coalesce(string_to_array(coalesce(p_original, ''), NULL), '{}');
    rest := coalesce(string_to_array(regexp_replace(p_replacement, '\*+ ?|【地址】|（已匿名化）', '', 'g'), NULL), '{}');
    n := coalesce(array_length(original, 1), 0);
    WHILE j <= coalesce(array_length(rest, 1), 0) LOOP
        WHILE i <= n AND original[i] <> rest[j] LOOP
            i := i + 1;
        END LOOP;
        IF i > n THEN
            RETURN false;
        END IF;
        i := i + 1;
        j := j + 1;
    END LOOP;
    RETURN true;
END;
$$;

CREATE OR REPLACE FUNCTION complaints_event_redact(
    p_ids bigint[], p_old_values text[], p_new_values text[], p_reasons text[], p_seals text[],
    p_at timestamptz
) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    changed integer;
    refused bigint;
BEGIN
    -- Only the rows the UPDATE below would write are checked (an event redacted before, or of an open case,
    -- is left alone as before, whatever text is offered for it).
    SELECT e.id INTO refused
      FROM unnest(p_ids, p_old_values, p_new_values, p_reasons)
           AS v (id, old_value, new_value, reason),
           complaints_complaintevent AS e, complaints_complaint AS c
     WHERE e.id = v.id AND e.redacted_at IS NULL
       AND c.id = e.complaint_id AND c.status IN ('closed', 'withdrawn')
       AND NOT (complaints_redaction_removes_only(e.old_value, v.old_value)
                AND complaints_redaction_removes_only(e.new_value, v.new_value)
                AND complaints_redaction_removes_only(e.reason, v.reason))
     ORDER BY e.id
     LIMIT 1;
    IF refused IS NOT NULL THEN
        RAISE EXCEPTION 'a redaction may only remove information: event % refused', refused
            USING ERRCODE = 'check_violation';
    END IF;
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

# Back to migration 0014's function: any replacement accepted.
UNDO = r"""
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
DROP FUNCTION IF EXISTS complaints_redaction_removes_only(text, text);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # CREATE OR REPLACE keeps the function's owner and grants (EXECUTE refused to PUBLIC, granted to the
        # application's role by common.dbroles).
        schema_editor.execute(FUNCTIONS, params=None)  # the "%" of RAISE is not a placeholder


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNDO, params=None)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0015_complaint_ended_indexes")]

    operations = [migrations.RunPython(forward, backward)]
