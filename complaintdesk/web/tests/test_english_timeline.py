"""The case page's timeline in the reader's language: what the system wrote there (why a case was
registered, why its deadlines moved) was stored in the language of whoever's request wrote it; an English
reader reads it in English, a Chinese reader in Chinese (common.catalogue_text). What a person typed stays
as typed."""

import pytest
from django.test import Client
from django.utils import translation

from complaintdesk.complaints.models import ComplaintEvent, EventKind
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.testing import handling_case

pytestmark = pytest.mark.django_db


def _page(user, number: str, language: str) -> str:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client.get(f"/complaints/{number}/").content.decode()


def test_an_english_reader_reads_the_systems_reasons_in_english_and_a_persons_words_as_typed(org):
    complaint = handling_case(org.agent_a)
    complaint_transition(
        number=complaint.number, actor=org.agent_a, to="awaiting_customer", reason="客户说明天再来电"
    )
    created = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.CREATED)
    assert created.reason.startswith("通过")  # stored in Chinese: the writer's language

    english = _page(org.agent_a, complaint.number, "en")
    assert "Registered via" in english
    assert created.reason not in english
    assert "客户说明天再来电" in english
    chinese = _page(org.agent_a, complaint.number, "zh-hans")
    assert created.reason in chinese


def test_a_reason_an_english_speaker_caused_reads_in_chinese_for_a_chinese_reader(org):
    with translation.override("en"):
        complaint = handling_case(org.agent_a)
    created = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.CREATED)
    assert created.reason.startswith("Registered via")

    chinese = _page(org.agent_a, complaint.number, "zh-hans")
    assert "Registered via" not in chinese
    assert "通过" in chinese and "登记" in chinese
