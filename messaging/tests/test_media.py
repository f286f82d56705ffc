"""Uploaded media over HTTP: the type comes from the content, and the file is served so a
browser can never run it on the console's origin."""
from __future__ import annotations

import struct
import zlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from messaging.models import MediaObject
from messaging.services import add_line
from outreach.testing import key_client

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes() -> bytes:
    """A real 1x1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


@pytest.fixture
def sb(account, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    add_line(account, "+15125550100")
    return key_client(account, ["messages"], form="sendblue")


def upload(sb, name: str, content: bytes, content_type: str):
    file = SimpleUploadedFile(name, content, content_type=content_type)
    return sb.post("/api/upload-media-object", {"file": file}, format="multipart")


def fetch(client, body):
    return client.get(body["media_url"].split("127.0.0.1:8000", 1)[1])


def test_html_named_png_is_refused_and_never_served_as_html(sb, client):
    response = upload(sb, "evil.png", HTML, "text/html")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "ERROR" and body["error_code"] == 4000
    assert "text/html" in body["error_message"] and ".png" in body["error_message"]
    assert not MediaObject.objects.exists()
    # Named right but the content of another format: refused too.
    assert upload(sb, "doc.pdf", png_bytes(), "application/pdf").status_code == 400


def test_a_real_png_is_served_inline_as_png_whatever_the_client_said(sb, client):
    response = upload(sb, "photo.png", png_bytes(), "text/html")
    assert response.status_code == 200, response.content
    served = fetch(client, response.json())
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert served["Content-Disposition"].startswith("inline")
    assert b"".join(served.streaming_content) == png_bytes()


def test_a_pdf_and_a_vcard_are_downloads(sb, client):
    pdf = fetch(client, upload(sb, "terms.pdf", PDF, "application/pdf").json())
    assert pdf["Content-Type"] == "application/pdf" and pdf["Content-Disposition"].startswith("attachment")
    assert pdf["X-Content-Type-Options"] == "nosniff"
    card = upload(sb, "me.vcf", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Me\r\nEND:VCARD\r\n", "text/html")
    assert card.status_code == 200, card.content
    served = fetch(client, card.json())
    assert served["Content-Type"] == "text/vcard" and served["Content-Disposition"].startswith("attachment")


def test_a_stored_object_of_an_unsafe_type_is_served_as_a_download_of_bytes(account, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    legacy = MediaObject.objects.create(  # a row stored before types were checked
        account=account, file=ContentFile(HTML, name="old.png"), filename="old.png",
        content_type="text/html", size=len(HTML),
    )
    served = client.get(f"/api/media/{legacy.token}/old.png")
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment") and served["X-Content-Type-Options"] == "nosniff"


def test_a_copied_media_url_gets_its_type_from_the_content_not_the_remote_header(sb, client, httpserver):
    httpserver.expect_request("/evil.png").respond_with_data(HTML, content_type="image/png")
    refused = sb.post("/api/upload-media-object", {"media_url": httpserver.url_for("/evil.png")}, format="json")
    assert refused.status_code == 400 and "text/html" in refused.json()["error_message"]
    httpserver.expect_request("/real.png").respond_with_data(png_bytes(), content_type="text/html")
    copied = sb.post("/api/upload-media-object", {"media_url": httpserver.url_for("/real.png")}, format="json")
    assert copied.status_code == 200, copied.content
    assert fetch(client, copied.json())["Content-Type"] == "image/png"
    assert MediaObject.objects.get().content_type == "image/png"


def test_a_json_array_body_is_a_400_not_a_500(sb):
    response = sb.post("/api/upload-media-object", [1, 2], format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "ERROR" and body["error_code"] == 4000
    assert "JSON object" in body["error_message"]
