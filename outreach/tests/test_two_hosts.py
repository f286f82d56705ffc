"""Two hosts, as docs/deploy.md lays them out: separate process groups in separate working
directories (each its own ``var/`` and ``MEDIA_ROOT``), sharing only PostgreSQL, the Redis
broker and the S3-compatible media store (moto's S3 server). Host A runs the web only;
host B runs a web and the worker."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
import requests

from messaging.choices import Status
from messaging.models import Message, SandboxSend
from messaging.services import add_line
from outreach.testing import app_server, key_client, running_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\nthe menu"


def host_env(root) -> dict[str, str]:
    (root / "var").mkdir(parents=True)
    return {"OUTREACH_VAR_DIR": str(root / "var"), "MEDIA_ROOT": str(root / "media")}


def test_a_send_through_one_host_is_dispatched_by_another_with_shared_media_and_one_callback_each(
    account, s3_bucket, httpserver, tmp_path
):
    add_line(account, "+15125550100")
    api = key_client(account, ["messages"], form="sendblue")
    auth = {"sb-api-key-id": api.key.key_id, "sb-api-secret-key": api.secret}
    httpserver.expect_request("/status", method="POST").respond_with_data("ok")
    a, b = tmp_path / "host-a", tmp_path / "host-b"
    env_a, env_b = host_env(a), host_env(b)
    web_a = app_server(cwd=a, **env_a)
    web_b = app_server(cwd=b, **env_b)
    try:
        with running_worker(name="host-b", cwd=b, **env_b):
            uploaded = requests.post(f"{web_a.url}/api/upload-media-object", headers=auth, timeout=30,
                                     files={"file": ("Menu.png", PNG, "image/png")})
            assert uploaded.status_code == 200, uploaded.text
            media_url = uploaded.json()["media_url"]
            # Host B serves what host A stored: the file is in the bucket, not on A's disk.
            served = requests.get(web_b.url + urlsplit(media_url).path, timeout=30)
            assert served.status_code == 200 and served.content == PNG

            sent = requests.post(f"{web_a.url}/api/send-message", headers=auth, timeout=30, json={
                "number": "+15552010070", "content": "Tonight's menu", "media_url": media_url,
                "status_callback": httpserver.url_for("/status"),
            })
            assert sent.status_code == 200, sent.text
            handle = sent.json()["message_handle"]
            # Only host B has a worker: it claims, sends and reports.
            wait_for(lambda: Message.objects.filter(handle=handle, status=Status.READ).exists(), 60,
                     message="the message never reached READ")
            wait_for(lambda: "READ" in callback_statuses(httpserver), 60, message="no READ callback")
    finally:
        web_a.kill()
        web_b.kill()

    ledger = SandboxSend.objects.filter(handle=handle)
    assert ledger.count() == 1 and not ledger.filter(duplicate=True).exists(), "sent exactly once"
    statuses = callback_statuses(httpserver)
    assert len(statuses) == len(set(statuses)), f"a status callback was delivered twice: {statuses}"
    assert [o.get()["Body"].read() for o in s3_bucket.objects.all()] == [PNG]
    for root in (a, b):
        media = root / "media"
        assert not media.exists() or not any(media.rglob("*.*")), f"a file landed on {root.name}'s disk"


def callback_statuses(httpserver) -> list[str]:
    return [json.loads(request.get_data())["status"] for request, _ in httpserver.log if request.path == "/status"]
