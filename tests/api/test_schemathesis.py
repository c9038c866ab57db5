"""The attacks stay in CI (issue 18 item 5a): schemathesis generates requests from the whole OpenAPI
schema of /api/v1 (valid and deliberately invalid bodies, queries and path values) and sends them with a
real bearer token. Every answer must be a documented status with a documented content type, headers and
body shape, and never a 5xx.

Stateful where it helps: the organisation holds real cases in both stores, and a generated path
parameter is often swapped for something that exists (a case number, the id of a work order, proposal,
approval, group … created by earlier generated requests in the same run), so the operations behind a
lookup run too instead of stopping at 404.

Bounded: SCHEMATHESIS_MAX_EXAMPLES examples per operation and generation mode (default 10; about 60 operations), fixed seed
(derandomize), no example database. Run alone:
    env -u DATABASE_URL .venv/bin/pytest tests/api/test_schemathesis.py -p no:xdist -q
"""

import os
import zlib
from collections import Counter

import hypothesis
import pytest
import schemathesis
from django.apps import apps
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from complaintdesk.accounts.services import api_token_issue
from complaintdesk.api.v1 import api
from complaintdesk.testing import intake

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
]

# Path parameter → the model whose rows it names (looked up at call time: the run creates more).
ID_PARAMETERS = {
    "attachment_id": "complaints.Attachment",
    "group_id": "intelligence.ComplaintGroup",
    "proposal_id": "solutions.SolutionProposal",
    "approval_id": "solutions.ApprovalRequest",
    "work_order_id": "dispatch.WorkOrder",
    "follow_up_id": "surveys.FollowUp",
    "referral_id": "escalation.ExternalReferral",
    "sample_id": "quality.QaSample",
}

# Figures of the run, printed at the end (docs/security.md quotes them).
FIGURES: Counter = Counter()


class InProcessWSGI:
    """Django's WSGI handler as schemathesis calls it, but inside the test's transaction: like Django's
    test client, it keeps the per-request connection clean-up from closing the test's connection."""

    def __init__(self):
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = InProcessWSGI()
schema.config.generation.update(max_examples=MAX_EXAMPLES)


@pytest.fixture
def world(org):
    """Real cases in both stores, and a token of the branch manager who sees both (and acts on them)."""
    numbers = [
        intake(org.agent_a).number,
        intake(org.agent_b).number,
        intake(org.agent_a, title="第二件").number,
    ]
    _row, token = api_token_issue(user=org.manager)
    return {"numbers": numbers, "token": token}


def _pick(generated, choices):
    """Half of the time, deterministically from the generated value, one of `choices`."""
    if not choices:
        return generated
    digest = zlib.crc32(repr(generated).encode())
    return choices[digest % len(choices)] if digest % 2 == 0 else generated


def _existing(parameters: dict, world: dict) -> None:
    for name, value in list(parameters.items()):
        if name == "number":
            parameters[name] = _pick(value, world["numbers"])
        elif name in ID_PARAMETERS:
            model = apps.get_model(ID_PARAMETERS[name])
            parameters[name] = _pick(
                value, list(model.objects.order_by("-pk").values_list("pk", flat=True)[:5])
            )


@schema.parametrize()
@hypothesis.settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)
def test_api_never_fails_and_answers_as_documented(case, world):
    if case.path_parameters:
        _existing(case.path_parameters, world)
    response = case.call_and_validate(headers={"Authorization": f"Bearer {world['token']}"}, checks=CHECKS)
    FIGURES["requests"] += 1
    FIGURES[f"{response.status_code // 100}xx"] += 1


def test_zz_print_figures():
    """Not a check: prints what the run above sent (pytest -s), for docs/security.md."""
    if FIGURES:
        print("\nschemathesis figures:", dict(sorted(FIGURES.items())))
