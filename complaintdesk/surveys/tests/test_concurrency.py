"""Two customers' browsers (or a double tap) submitting one survey link at the same moment: one answer."""

import threading

import pytest
from django.db import connection

from complaintdesk.complaints.models import EventKind
from complaintdesk.surveys import services
from complaintdesk.surveys.models import SurveyAnswer

from .test_services import _events, _send, _token_of


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submissions_of_one_link_at_once_record_one_answer(org, handling_case):
    complaint = handling_case(org.agent_a)
    _send(complaint, org.agent_a)
    token = _token_of(complaint)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(stars: int) -> None:
        try:
            start.wait()
            services.survey_answer_submit(token=token, stars=stars, solved=stars > 2)
            outcomes.append("answered")
        except services.SurveyLinkRefused as refused:
            outcomes.append(refused.reason)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(stars,)) for stars in (5, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["answered", "used"]
    assert SurveyAnswer.objects.count() == 1
    assert len(_events(complaint, EventKind.SURVEY)) == 1
