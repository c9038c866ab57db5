"""Request ids and JSON log lines carrying the request id, the user and the case number."""

import io
import json
import logging

import pytest
from django.test import Client, override_settings

from complaintdesk.ops.logs import JsonFormatter, RequestContextFilter
from complaintdesk.testing import intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("complaintdesk.requests")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(level)


@override_settings(LOG_REQUESTS=True)
def test_a_case_page_request_logs_one_json_line_with_its_id_user_and_case(org, json_lines):
    complaint = intake(org.agent_a)
    client = Client()
    client.force_login(org.agent_a)
    response = client.get(f"/complaints/{complaint.number}/")
    assert response.status_code == 200
    lines = json_lines()
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user"] == "agent_a"
    assert line["case_number"] == complaint.number
    assert line["status"] == 200 and line["view"] == "web:complaint" and line["method"] == "GET"
    assert line["level"] == "INFO" and line["logger"] == "complaintdesk.requests"


def test_a_proxys_request_id_is_kept_and_a_bad_one_replaced(org):
    kept = Client().get("/healthz", HTTP_X_REQUEST_ID="nginx-4f2a9c1e")
    assert kept["X-Request-ID"] == "nginx-4f2a9c1e"
    replaced = Client().get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert replaced["X-Request-ID"] != "bad id\nwith newline" and len(replaced["X-Request-ID"]) == 32


def test_lines_outside_a_request_have_no_request_fields():
    record = logging.LogRecord(
        "complaintdesk.tasks", logging.WARNING, __file__, 1, "sweep %s", ("late",), None
    )
    RequestContextFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "sweep late" and line["level"] == "WARNING"
    assert "request_id" not in line and "user" not in line
