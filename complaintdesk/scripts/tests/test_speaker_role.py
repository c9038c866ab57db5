"""The scripts name the speaker's actual role ({agent_role}): a business manager making the follow-up call
is not introduced as 客服专员."""

import importlib

from django.apps import apps

from complaintdesk.scripts.models import ReplyRule, Script, ScriptVersion
from complaintdesk.scripts.services import script_render

migration = importlib.import_module("complaintdesk.scripts.migrations.0005_scripts_name_the_speakers_role")


def test_the_follow_up_script_names_the_callers_role(complaint, agent, org):
    script = Script.objects.get(code="follow-up-zh")
    by_agent = script_render(script=script, complaint=complaint, agent=agent).text
    by_manager = script_render(script=script, complaint=complaint, agent=org.manager).text
    assert "我是ComplaintDesk客服专员李敏" in by_agent
    assert "我是ComplaintDesk业务经理manager" in by_manager and "客服专员" not in by_manager


def test_no_shipped_chinese_script_hard_codes_the_agents_role(db):
    assert not [s.code for s in Script.objects.filter(language="zh-hans") if "客服专员{agent_name}" in s.body]


def test_the_migration_gives_untouched_scripts_a_new_version_and_leaves_edited_ones(db):
    code, before, after = next(row for row in migration.SCRIPTS if row[0] == "follow-up-zh")
    untouched = Script.objects.get(code=code)
    edited = Script.objects.get(code="feedback-zh")
    for script, body in ((untouched, before), (edited, "我是客服专员{agent_name}，这是改过的话术。")):
        version = ScriptVersion.objects.create(
            script=script, number=script.current_version.number + 1, body=body, created_at=script.created_at
        )
        Script.objects.filter(pk=script.pk).update(current_version=version)
    ReplyRule.objects.filter(code=migration.RULE_CODE).update(suggestion=migration.RULE_SUGGESTION_BEFORE)

    migration.speaker_role_texts(apps, None)

    untouched.refresh_from_db()
    assert untouched.current_version.body == after and untouched.versions.count() == 3  # history kept
    edited.refresh_from_db()
    assert edited.current_version.body == "我是客服专员{agent_name}，这是改过的话术。"
    assert ReplyRule.objects.get(code=migration.RULE_CODE).suggestion == migration.RULE_SUGGESTION_AFTER
