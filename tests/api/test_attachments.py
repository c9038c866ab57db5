"""Evidence files: type from the content bytes, size limit, storage outside the database, download
only inside the user's scope."""

import base64
import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from complaintdesk.complaints.models import Attachment, ComplaintEvent

from .support import assert_problem, stored_rows

# A real 1×1 PNG, a JPEG header (SOI + JFIF APP0), a minimal PDF, and a Windows PE executable's start.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200 + b"\xff\xd9"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + b"\x80\x00\x00\x00"
    + b"This program cannot be run in DOS mode.\r\r\n$"
    + b"\x00" * 64
    + b"PE\x00\x00"
)


def _upload(api, number, name, content, content_type, **extra):
    return api.client.post(
        f"/api/v1/complaints/{number}/attachments",
        {"file": SimpleUploadedFile(name, content, content_type=content_type), **extra},
    )


@pytest.fixture
def number(org, api_for, make_payload):
    return api_for(org.agent_a).post("/complaints", make_payload()).json()["number"]


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "claimed", "sniffed"),
    [
        ("光猫指示灯.png", PNG, "image/png", "image/png"),
        ("账单.pdf", PDF, "application/pdf", "application/pdf"),
        # The client's word and the name do not decide: bytes do.
        ("photo.pdf", JPEG, "application/pdf", "image/jpeg"),
        ("scan", PDF, "application/octet-stream", "application/pdf"),
    ],
)
def test_upload_stores_file_outside_the_database_with_sniffed_type(
    org, api_for, number, name, content, claimed, sniffed
):
    api = api_for(org.agent_a)
    response = _upload(api, number, name, content, claimed)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == sniffed
    assert body["name"] == name
    assert body["size"] == len(content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["uploaded_by"] == "agent_a"

    stored = Attachment.objects.get(pk=body["id"])
    files = _stored_files()
    assert len(files) == 1 and files[0].read_bytes() == content
    assert name not in str(files[0])  # the path is ours, not the client's
    assert stored.file.name.startswith("attachments/")

    event = ComplaintEvent.objects.filter(complaint__number=number, kind="attachment").get()
    assert event.new_value == name and event.actor == org.agent_a

    download = api.get(body["url"].removeprefix("/api/v1"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == sniffed
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")

    detail = api.get(f"/complaints/{number}").json()
    assert [a["id"] for a in detail["attachments"]] == [body["id"]]


def test_executable_claiming_to_be_pdf_is_refused_and_nothing_is_kept(org, api_for, number):
    api = api_for(org.agent_a)
    before = stored_rows()
    body = assert_problem(_upload(api, number, "发票.pdf", EXE, "application/pdf"), 422, "file")
    assert "可执行" in body["errors"]["file"][0]
    assert not Attachment.objects.exists()
    assert stored_rows() == before
    assert _stored_files() == []


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 60, "file"),
        (b"#!/bin/sh\nrm -rf /\n", "file"),
        (b"<html><script>alert(1)</script></html>", "file"),
        (b"", "file"),
    ],
    ids=["elf", "script", "html", "empty"],
)
def test_other_refused_contents(org, api_for, number, content, field):
    before = stored_rows()
    assert_problem(_upload(api_for(org.agent_a), number, "evidence.jpg", content, "image/jpeg"), 422, field)
    assert stored_rows() == before and _stored_files() == []


def test_size_limit_is_a_setting(org, api_for, number, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    api = api_for(org.agent_a)
    big = PDF + b"%" * 2000
    body = assert_problem(_upload(api, number, "big.pdf", big, "application/pdf"), 422, "file")
    assert "MB" in body["errors"]["file"][0]
    assert _upload(api, number, "small.pdf", PDF, "application/pdf").status_code == 201


def test_body_far_over_the_upload_limit_is_413_before_reading(org, api_for, number, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    before = stored_rows()
    response = _upload(
        api_for(org.agent_a), number, "huge.pdf", PDF + b"%" * (2 * 1024 * 1024), "application/pdf"
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/problem+json")
    assert stored_rows() == before and _stored_files() == []


def test_same_file_again_returns_the_existing_attachment(org, api_for, number):
    api = api_for(org.agent_a)
    first = _upload(api, number, "a.png", PNG, "image/png")
    second = _upload(api, number, "again.png", PNG, "image/png")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Attachment.objects.count() == 1 and len(_stored_files()) == 1


def test_download_is_404_outside_the_scope(org, api_for, number):
    body = _upload(api_for(org.agent_a), number, "a.png", PNG, "image/png").json()
    path = body["url"].removeprefix("/api/v1")
    for user in (org.agent_b, org.dept_staff):
        response = api_for(user).get(path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/problem+json")
    # Nor can the attachment be reached through another (visible) case's number.
    other = (
        api_for(org.agent_b)
        .post(
            "/complaints",
            {
                "channel": "phone",
                "customer": {"name": "李先生", "phone": "13900139000"},
                "title": "t",
                "description": "d",
            },
        )
        .json()["number"]
    )
    assert api_for(org.agent_b).get(f"/complaints/{other}/attachments/{body['id']}").status_code == 404
    assert api_for(org.manager).get(path).status_code == 200
    # Uploading to a case outside the scope is 404 too, and stores nothing.
    assert _upload(api_for(org.agent_b), number, "b.png", PNG, "image/png").status_code == 404
    assert Attachment.objects.count() == 1


def test_upload_needs_the_file_field(org, api_for, number):
    response = api_for(org.agent_a).client.post(f"/api/v1/complaints/{number}/attachments", {"other": "x"})
    assert_problem(response, 422, "file")
