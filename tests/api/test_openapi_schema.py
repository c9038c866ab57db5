"""The OpenAPI 3 document is valid and complete: every endpoint, its bodies, its errors, the
Idempotency-Key header on every POST."""

from django.test import Client
from openapi_spec_validator import validate

EXPECTED = {
    ("/api/v1/complaints", "get"),
    ("/api/v1/complaints", "post"),
    ("/api/v1/complaints/{number}", "get"),
    ("/api/v1/complaints/{number}/transitions", "post"),
    ("/api/v1/complaints/{number}/transfer", "post"),
    ("/api/v1/complaints/{number}/analysis", "patch"),
    ("/api/v1/complaints/{number}/notes", "post"),
    ("/api/v1/complaints/{number}/messages", "post"),
    ("/api/v1/complaints/{number}/attachments", "post"),
    ("/api/v1/complaints/{number}/attachments/{attachment_id}", "get"),
}


def _schema():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _resolve(schema, item):
    if "$ref" in item:
        name = item["$ref"].rsplit("/", 1)[-1]
        section = item["$ref"].split("/")[2]
        return schema["components"][section][name]
    return item


def test_document_validates_against_the_openapi_specification(db):
    validate(_schema())


def test_every_endpoint_is_described(db):
    schema = _schema()
    operations = {(path, method) for path, ops in schema["paths"].items() for method in ops}
    assert EXPECTED <= operations, EXPECTED - operations
    for path, method in operations:
        operation = schema["paths"][path][method]
        assert operation.get("summary"), (path, method)
        responses = operation["responses"]
        for status in ("401", "404", "429"):
            problem = responses[status]["content"]["application/problem+json"]["schema"]
            assert problem["$ref"].endswith("/ProblemOut"), (path, method, status)
        assert "Retry-After" in responses["429"]["headers"]
        if method in {"post", "patch"}:
            assert "requestBody" in operation, (path, method)
            assert {"409", "413"} & set(responses) or method == "patch"
            assert "413" in responses and "422" in responses


def test_every_post_declares_the_idempotency_key_header(db):
    schema = _schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            parameters = [_resolve(schema, p) for p in operation.get("parameters", [])]
            headers = {p["name"] for p in parameters if p["in"] == "header"}
            if method == "post":
                assert "Idempotency-Key" in headers, path
                assert "409" in operation["responses"], path
            else:
                assert "Idempotency-Key" not in headers, (path, method)


def test_bodies_and_errors_are_typed(db):
    schema = _schema()
    components = schema["components"]["schemas"]
    for name in (
        "ComplaintIn",
        "ComplaintOut",
        "ComplaintListOut",
        "NoteIn",
        "MessageIn",
        "AttachmentOut",
        "EventOut",
        "ProblemOut",
        "RecorderIn",
    ):
        assert name in components, name
    assert "next_cursor" in components["ComplaintListOut"]["properties"]
    # One name, one schema: a later schema of the same class name would silently replace the first.
    assert "kind_label" in components["EventOut"]["properties"]  # the timeline's event, not a business event
    assert "incident_id" in components["BusinessEventOut"]["properties"]
    upload = schema["paths"]["/api/v1/complaints/{number}/attachments"]["post"]["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"]["properties"]["file"]["format"] == "binary"
    download = schema["paths"]["/api/v1/complaints/{number}/attachments/{attachment_id}"]["get"]
    assert "application/octet-stream" in download["responses"]["200"]["content"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/complaints"]["get"]["parameters"]}
    assert {
        "status",
        "unit",
        "category",
        "channel",
        "assignee",
        "breached",
        "at_risk",
        "created_from",
        "created_to",
        "q",
        "ordering",
        "cursor",
        "limit",
    } <= parameters
