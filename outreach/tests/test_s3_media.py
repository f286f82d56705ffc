"""Media in an S3-compatible bucket (MEDIA_STORAGE=s3): uploaded through the API, stored in
the bucket and nowhere on this host's disk, served back by the app's token URL. The bucket
is moto's S3 server on a private port (a real HTTP S3 endpoint, no AWS)."""
from __future__ import annotations

import environ
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from messaging.services import add_line
from outreach import media_storage
from outreach.testing import key_client


@pytest.fixture
def s3_media(s3_bucket, settings, tmp_path):
    """This process's storage read from that environment by the same code as production."""
    settings.MEDIA_ROOT = tmp_path  # must stay empty
    settings.STORAGES = media_storage.storages(environ.Env())
    return s3_bucket


def test_uploaded_media_lives_in_the_bucket_and_is_served_from_it(s3_media, account, client, tmp_path):
    add_line(account, "+15125550100")
    sb = key_client(account, ["messages"], form="sendblue")
    upload = SimpleUploadedFile("Menu.png", b"\x89PNG\r\n\x1a\nmenu bytes", content_type="image/png")
    response = sb.post("/api/upload-media-object", {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content

    stored = [(o.key, o.get()["Body"].read()) for o in s3_media.objects.all()]
    assert [body for _, body in stored] == [b"\x89PNG\r\n\x1a\nmenu bytes"]
    assert stored[0][0].endswith(".png") and not any(tmp_path.iterdir()), "nothing on this host's disk"

    served = client.get(response.json()["media_url"].split("127.0.0.1:8000", 1)[1])
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == b"\x89PNG\r\n\x1a\nmenu bytes"
    assert served["Content-Type"] == "image/png"

    # A second upload of the same name is a second object, never an overwrite.
    again = SimpleUploadedFile("Menu.png", b"\x89PNG\r\n\x1a\nother", content_type="image/png")
    assert sb.post("/api/upload-media-object", {"file": again}, format="multipart").status_code == 200
    assert len(list(s3_media.objects.all())) == 2


def test_an_unknown_media_storage_is_a_clear_configuration_error(monkeypatch):
    monkeypatch.setenv("MEDIA_STORAGE", "ftp")
    with pytest.raises(environ.ImproperlyConfigured, match="'filesystem' or 's3'"):
        media_storage.storages(environ.Env())
