"""Campaign operations through a real Celery worker: a test send arrives, a clone starts
and completes, resend queues exactly the errored recipients again (the sandbox fails them
again), and an export is built by its task and downloaded."""
from __future__ import annotations

import pytest

from campaigns.models import ResendAttempt
from messaging.choices import Status
from messaging.models import Message
from messaging.providers.sandbox.models import SandboxSend
from outreach.testing import wait_for

from . import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

FAILS, READS = "+15125550302", "+15125550300"


def test_test_send_clone_resend_and_export_through_the_worker(api, account, worker):
    f.lines(account, 1)
    lst = f.audience(account, [FAILS, READS])
    body = {"name": "Ops", "body": "Hi {first_name|there}", "list_ids": [str(lst.pk)],
            "window_start": "00:00", "window_end": "00:00"}
    cid = api.post("/api/v1/campaigns", body, format="json").json()["id"]

    contact = str(account.contacts.get(e164_number=READS).pk)
    sent = api.post(f"/api/v1/campaigns/{cid}/test", {"contact_id": contact, "to": "+15125550390"}, format="json")
    assert sent.status_code == 201
    wait_for(lambda: SandboxSend.objects.filter(handle=sent.json()["message_id"], outcome="sent").exists(),
             message="the test send did not arrive")

    clone = api.post(f"/api/v1/campaigns/{cid}/clone", {}, format="json").json()
    assert api.post(f"/api/v1/campaigns/{clone['id']}/start").json()["status"] == "ACTIVE"
    wait_for(lambda: api.get(f"/api/v1/campaigns/{clone['id']}").json()["status"] == "COMPLETED", timeout=60,
             message="the clone did not complete")

    failed = Message.objects.get(campaign_recipient__campaign_id=clone["id"], to_number=FAILS)
    assert failed.status == Status.ERROR
    resend = api.post(f"/api/v1/campaigns/{clone['id']}/resend")
    assert resend.status_code == 202 and resend.json()["recipients"] == 1
    wait_for(lambda: ResendAttempt.objects.filter(resend_id=resend.json()["id"], requeued_at__isnull=False).exists(),
             message="the resend did not queue its recipient")
    wait_for(lambda: api.get(f"/api/v1/campaigns/{clone['id']}").json()["status"] == "COMPLETED", timeout=60,
             message="the campaign did not complete again")
    assert SandboxSend.objects.filter(handle=failed.handle).count() == 2  # sent again, exactly that one
    read = Message.objects.get(campaign_recipient__campaign_id=clone["id"], to_number=READS)
    assert SandboxSend.objects.filter(handle=read.handle).count() == 1

    export = api.post("/api/v1/exports", {"kind": "campaign_results", "campaign_id": clone["id"]},
                      format="json").json()
    done = wait_for(lambda: (e := api.get(f"/api/v1/exports/{export['id']}").json())["status"] == "done" and e,
                    message="the export was not built")
    csv = b"".join(api.get(done["download_url"]).streaming_content).decode()
    assert FAILS in csv and READS in csv and csv.startswith("contact_id,")
