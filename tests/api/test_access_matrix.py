"""The cross-unit access matrix (issue 18 item 5b), built from the OpenAPI schema so that a new endpoint
is in it without anyone adding it here.

Store A holds a case with everything that can hang off it (attachment, work order, solution proposal and
approval, group, external referral). For every operation that names a case or one of those by path, and
every user of a foreign unit (store B's agent, supervisor and API client, another branch's manager and
head, a department's staff), the answer must not be data: it is the same answer as for a case or id that
does not exist (404, or a refusal that does not depend on the case), and nothing is written. Every list,
search and export operation (GET without path parameters) must not show store A's case, its customer or
its text to those users.
"""

import io
import json
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from complaintdesk.accounts.models import Role
from complaintdesk.complaints.services import IntakeCustomer
from complaintdesk.orgs.services import orgunit_create
from complaintdesk.testing import handling_case

from .support import stored_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PHANTOM_NUMBER = "TS20260101999999"
PHANTOM_ID = 987654321
# Markers only store A's case carries: found in a foreign user's answer, they are a leak.
SECRET_TITLE = "甲店机密标题QX7"
SECRET_CUSTOMER = "甲店客户钱QX7"
SECRET_PHONE = "13912345678"
SECRET_ACCOUNT = "ACC-SECRET-QX7"

FOREIGN_USERS = ["agent_b", "supervisor_b", "api_b", "bj_manager", "bj_head", "dept_staff"]


def _schema() -> dict:
    return Client().get("/api/v1/openapi.json").json()


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _example(schema: dict, node: dict):
    """A value of `node`'s JSON schema that passes the shape checks, so the request reaches the lookup."""
    node = _resolve(schema, node)
    if "anyOf" in node:
        return _example(schema, next(o for o in node["anyOf"] if o.get("type") != "null"))
    if "enum" in node:
        return node["enum"][0]
    if "const" in node:
        return node["const"]
    kind = node.get("type")
    if kind == "object":
        return {
            name: _example(schema, prop)
            for name, prop in node.get("properties", {}).items()
            if name in node.get("required", [])
        }
    if kind == "array":
        return [_example(schema, node.get("items", {}))] * max(1, node.get("minItems", 1))
    if kind == "integer":
        return max(1, node.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if node.get("format") == "date":
        return "2026-01-05"
    if node.get("format") == "date-time":
        return "2026-01-05T10:00:00+08:00"
    return "核实" + "x" * max(0, node.get("minLength", 0) - 2)


def _operations(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def _path_parameters(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


@pytest.fixture
def matrix(org, api_for):
    """Store A's case and everything on it, created by store A's agent and the branch manager; the
    foreign users; a second department so the work order is not the billing staff's own."""
    network = orgunit_create(code="NET", name="网络部", kind="department", parent=org.hq)
    beijing = orgunit_create(code="BJ", name="北京分公司", kind="branch", parent=org.region)
    org.supervisor_b = org.user("supervisor_b", Role.SUPERVISOR, org.store_b)
    org.api_b = org.user("api_b", Role.API_CLIENT, org.store_b)
    org.bj_manager = org.user("bj_manager", Role.BUSINESS_MANAGER, beijing)
    org.bj_head = org.user("bj_head", Role.BRANCH_HEAD, beijing)
    org.user("net_staff", Role.DEPARTMENT_STAFF, network)

    case = handling_case(
        org.agent_a,
        title=SECRET_TITLE,
        customer=IntakeCustomer(name=SECRET_CUSTOMER, phone=SECRET_PHONE, account_no=SECRET_ACCOUNT),
    )
    other = handling_case(org.agent_a, title="甲店另一件")
    number = case.number
    agent, manager = api_for(org.agent_a), api_for(org.manager)
    ids = {"number": number}

    upload = agent.client.post(
        f"/api/v1/complaints/{number}/attachments",
        {"file": _png("bill.png")},
        headers={"Accept": "application/json"},
    )
    assert upload.status_code == 201, upload.content
    ids["attachment_id"] = upload.json()["id"]

    order = agent.post(
        f"/complaints/{number}/work-orders",
        {"department": "NET", "instructions": "核查线路", "due_working_days": 2},
    )
    assert order.status_code == 201, order.content
    ids["work_order_id"] = order.json()["id"]

    proposal = agent.post(
        f"/complaints/{number}/solutions", {"options": [{"remedy": "refund", "amount": 500}]}
    )
    assert proposal.status_code == 201, proposal.content
    ids["proposal_id"] = proposal.json()["id"]
    ids["approval_id"] = proposal.json()["approvals"][0]["id"]

    group = manager.post("/groups", {"numbers": [number, other.number], "title": "甲店同类问题"})
    assert group.status_code == 201, group.content
    ids["group_id"] = group.json()["id"]

    referral = agent.post(
        f"/complaints/{number}/external-referrals",
        {"body": "consumer_association", "reason": "客户向消协投诉"},
    )
    assert referral.status_code == 201, referral.content
    ids["referral_id"] = referral.json()["id"]
    return ids


def _png(name: str):
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
    return SimpleUploadedFile(name, png, content_type="image/png")


# Ids the fixture cannot make without a run of the whole process behind them; their endpoints are still
# called with the case's own number and an id that exists nowhere (the phantom answer is checked).
NOT_SEEDED = {"follow_up_id", "sample_id"}


MULTIPART = object()


def _call(api, method: str, path: str, body):
    if method == "get":
        return api.get(path)
    if body is MULTIPART:
        return api.client.post(f"/api/v1{path}", {"file": _png("evil.png")})
    return getattr(api, method)(path, body)


def _echo_removed(body: dict, names: list[str], matrix: dict) -> dict:
    """`body` with the values the caller put in the path (which a message may repeat) replaced by the
    phantom's, so that the two answers compare word for word."""
    for key in ("title", "detail"):
        text = body.get(key)
        if not isinstance(text, str):
            continue
        for name in names:
            if name == "number":
                text = text.replace(matrix["number"], PHANTOM_NUMBER)
            elif name in matrix:
                text = re.sub(rf"(?<!\d){matrix[name]}(?!\d)", str(PHANTOM_ID), text)
        body[key] = text
    return body


def test_every_operation_on_store_a_things_is_not_found_for_every_foreign_user(org, api_for, matrix):
    schema = _schema()
    covered, unknown = 0, set()
    for path, method, operation in _operations(schema):
        names = _path_parameters(path)
        if not names:
            continue
        for name in names:
            if name not in matrix and name not in NOT_SEEDED:
                unknown.add(name)
        real = path.removeprefix("/api/v1")
        phantom = real
        for name in names:
            real = real.replace(f"{{{name}}}", str(matrix.get(name, PHANTOM_ID)))
            phantom = phantom.replace(f"{{{name}}}", PHANTOM_NUMBER if name == "number" else str(PHANTOM_ID))
        body = None
        if "requestBody" in operation:
            content = operation["requestBody"]["content"]
            if "application/json" not in content:
                body = MULTIPART  # an upload
            else:
                body = _example(schema, content["application/json"]["schema"])
        for username in FOREIGN_USERS:
            api = api_for(getattr(org, username))
            before = stored_rows()
            answer = _call(api, method, real, body)
            nothing = _call(api, method, phantom, body)
            where = f"{method.upper()} {path} as {username}"
            assert answer.status_code in (401, 403, 404, 422), (
                where,
                answer.status_code,
                answer.content[:300],
            )
            # Indistinguishable from asking about something that does not exist.
            assert answer.status_code == nothing.status_code, (
                where,
                answer.content[:300],
                nothing.content[:300],
            )
            # Word for word, once the values the caller sent are taken out: a title naming the case an id
            # belongs to would tell a foreign user that case's number.
            said = _echo_removed(answer.json(), names, matrix)
            assert said == nothing.json(), (where, said, nothing.json())
            for marker in (SECRET_TITLE, SECRET_CUSTOMER, SECRET_PHONE, SECRET_ACCOUNT):
                assert marker not in answer.content.decode(), (where, marker)
            assert stored_rows() == before, where
            covered += 1
    assert not unknown, (
        f"path parameters the matrix does not seed yet: {sorted(unknown)} (add them to `matrix`)"
    )
    assert covered >= 40 * len(FOREIGN_USERS)
    print(f"\naccess matrix: {covered} foreign requests on store A's things, 0 leaks")


# List, search and export operations need these query values to answer at all.
REQUIRED_QUERY = {
    "q": SECRET_TITLE,
    "month_from": "2026-01",
    "month_to": "2026-12",
    "start": "2026-01-01",
    "end": "2026-12-31",
}


def _list_query(schema: dict, operation: dict) -> str:
    parts = []
    for parameter in operation.get("parameters", []):
        if "$ref" in parameter or parameter.get("in") != "query" or not parameter.get("required"):
            continue
        name = parameter["name"]
        value = REQUIRED_QUERY.get(name) or _example(schema, parameter.get("schema", {}))
        parts.append(f"{name}={value}")
    return "&".join(parts)


def _readable(response) -> str:
    """What a response shows, as text: JSON decoded, a spreadsheet's cells read (the statistics export)."""
    if response.get("Content-Type", "").startswith(XLSX):
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        return " ".join(
            str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v
        )
    try:
        return json.dumps(response.json(), ensure_ascii=False)
    except ValueError:
        return response.content.decode()


def test_no_list_search_or_export_shows_store_a_to_a_foreign_user(org, api_for, matrix):
    schema = _schema()
    lists = [(path, op) for path, method, op in _operations(schema) if method == "get" and "{" not in path]
    assert len(lists) >= 10
    # The same lists do show it to store A's agent: the markers are where a leak would be.
    own = json.dumps(api_for(org.agent_a).get("/complaints?limit=100").json(), ensure_ascii=False)
    assert matrix["number"] in own and SECRET_TITLE in own
    for username in FOREIGN_USERS:
        api = api_for(getattr(org, username))
        for path, operation in lists:
            query = _list_query(schema, operation)
            response = api.get(path.removeprefix("/api/v1") + (f"?{query}" if query else ""))
            where = f"GET {path} as {username}"
            assert response.status_code < 500, (where, response.content[:300])
            text = _readable(response)
            for marker in (matrix["number"], SECRET_TITLE, SECRET_CUSTOMER, SECRET_PHONE, SECRET_ACCOUNT):
                assert marker not in text, (where, marker)
