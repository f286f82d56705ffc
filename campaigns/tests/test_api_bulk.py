"""Bulk message jobs (seed 004) over HTTP; the fan-out and sends run in a real worker."""
from __future__ import annotations

import json

import pytest
from django.utils import timezone

from campaigns.models import BulkJob
from messaging.models import Message
from outreach.testing import assert_matches_schema, wait_for

from . import factories as f


@pytest.mark.django_db
def test_a_malformed_request_is_refused_whole_with_the_indexes(api, account):
    f.lines(account, 1)
    response = api.post("/api/v1/messages/bulk", {"messages": [
        {"to": "+15125550700", "body": "ok"},
        {"body": "no recipient"},
        {"to": "+15125550701", "body": ""},
        "not an object",
        {"to": "+15125550702", "body": "hi", "priority": 3},
    ]}, format="json")
    assert response.status_code == 422
    assert_matches_schema(response, "/api/v1/messages/bulk")
    body = response.json()
    assert set(body["errors"]) == {"messages.1.to", "messages.2.body", "messages.3.item", "messages.4.item"}
    assert "indexes 1, 2, 3, 4" in body["detail"] and "nothing was queued" in body["detail"]
    assert not BulkJob.objects.exists() and not Message.objects.exists()

    for bad in ({}, {"messages": []}, {"messages": "x"}):
        response = api.post("/api/v1/messages/bulk", bad, format="json")
        assert response.status_code == 422 and "messages" in response.json()["errors"]


@pytest.mark.django_db
def test_an_account_without_lines_gets_409(api):
    response = api.post("/api/v1/messages/bulk", {"messages": [{"to": "+15125550700", "body": "x"}]}, format="json")
    assert response.status_code == 409 and "no active line" in response.json()["detail"]


@pytest.mark.django_db
def test_another_accounts_job_is_404(api, account, other_account, api_for):
    f.lines(account, 1)
    job = api.post("/api/v1/messages/bulk", {"messages": [{"to": "+15125550700", "body": "x"}]}, format="json")
    job_id = job.json()["jobId"]
    other = api_for(other_account, ["messages"])
    assert other.get(f"/api/v1/messages/bulk/{job_id}").status_code == 404
    assert other.get(f"/api/v1/messages/bulk/{job_id}/results").status_code == 404
    assert other.get("/api/v1/messages/bulk").json()["total"] == 0
    assert api.get("/api/v1/messages/bulk/bulk_nothing").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_job_queues_sends_and_reports_each_recipient(api, account, worker):
    f.lines(account, 2)
    f.contact(account, "+15125550810", opted_out_at=timezone.now())
    messages = [
        {"to": "+15125550800", "body": "one"},
        {"to": "12", "body": "two"},
        {"to": "+15125550810", "body": "three"},
        {"to": "(512) 555-0807", "body": "four"},
        {"to": "911", "body": "five"},
    ]
    response = api.post("/api/v1/messages/bulk", {"messages": messages}, format="json")
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "/api/v1/messages/bulk")
    created = response.json()
    assert created["status"] == "processing" and created["totalRecipients"] == 5
    assert created["jobId"].startswith("bulk_")
    url = f"/api/v1/messages/bulk/{created['jobId']}"

    detail = wait_for(lambda: (d := api.get(url).json())["status"] == "completed" and d, timeout=60,
                      message="the bulk job did not complete")
    assert_matches_schema(api.get(url), "/api/v1/messages/bulk/{job_id}")
    assert detail["processed"] == 5 and detail["completedAt"] is not None
    assert detail["counts"]["failed"] == 3 and detail["counts"]["read"] == 1 and detail["counts"]["sent"] == 1

    page = api.get(f"{url}/results?per_page=3")
    assert_matches_schema(page, "/api/v1/messages/bulk/{job_id}/results")
    first = page.json()
    assert (first["total"], first["pages"], len(first["items"])) == (5, 2, 3)
    rest = api.get(f"{url}/results?per_page=3&page=2").json()["items"]
    results = {r["index"]: r for r in first["items"] + rest}
    assert results[0]["status"] == "read" and results[0]["messageId"] and results[0]["error"] is None
    assert results[1]["status"] == "failed" and "cannot be a phone number" in results[1]["error"]
    assert results[2]["status"] == "failed" and "opted out" in results[2]["error"]
    assert results[3]["status"] == "sent" and results[3]["to"] == "(512) 555-0807"
    assert results[4]["status"] == "failed" and "emergency" in results[4]["error"]
    sent = Message.objects.get(handle=results[3]["messageId"])
    assert sent.to_number == "+15125550807" and sent.content == "four"

    listing = api.get("/api/v1/messages/bulk")
    assert_matches_schema(listing, "/api/v1/messages/bulk")
    assert [j["jobId"] for j in listing.json()["items"]] == [created["jobId"]]


@pytest.mark.django_db
def test_a_job_larger_than_djangos_upload_limit_is_accepted(api, account, settings):
    f.lines(account, 1)
    messages = [{"to": f"+1512556{i:04d}", "body": "x" * 300} for i in range(10_000)]

    payload = json.dumps({"messages": messages})
    assert len(payload) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = api.generic("POST", "/api/v1/messages/bulk", payload, content_type="application/json")
    assert response.status_code == 201, response.content[:300]
    assert response.json()["totalRecipients"] == 10_000
    bad = api.generic("POST", "/api/v1/messages/bulk", "{not json", content_type="application/json")
    assert bad.status_code == 400 and "not JSON" in bad.json()["detail"]


@pytest.mark.django_db
def test_a_large_job_is_queued_in_slices_that_together_cover_every_index_once(account, monkeypatch, settings,
                                                                           django_capture_on_commit_callbacks):
    from campaigns import bulkjobs
    from campaigns.models import BulkJobSlice, BulkResult

    settings.FANOUT_SLICES = 3
    settings.FANOUT_SLICE_MIN = 10
    settings.FANOUT_CHUNK = 4
    f.lines(account, 2)
    items = [{"to": f"+1512555{3000 + i}", "body": f"order {i}"} for i in range(25)]
    items[7]["to"] = "12"  # refused: a failed row, not a failed job
    with django_capture_on_commit_callbacks(execute=False):
        job = bulkjobs.create_job(account, items)
    assert bulkjobs.plan_slices(job) == [0, 1, 2]
    assert [(s.position, s.end) for s in BulkJobSlice.objects.filter(job=job)] == [(0, 8), (8, 16), (16, 25)]
    items = [dict(i) for i in items]
    # The slices' chunks interleave, as two workers would run them.
    while any(bulkjobs.run_chunk(job.pk, i, items, bulkjobs.LinePicker(bulkjobs.pool_lines(account)))
              for i in (0, 1, 2)):
        pass
    assert bulkjobs.finish(job.pk) is True
    job.refresh_from_db()
    assert (job.processed, job.failed, job.payload) == (25, 1, "")
    assert job.fanout_done_at is not None
    assert list(BulkResult.objects.filter(job=job).values_list("index", flat=True)) == list(range(25))
    assert Message.objects.filter(bulk_result__job=job).count() == 24
    assert bulkjobs.finish(job.pk) is False


@pytest.mark.django_db(transaction=True)
def test_a_worker_queues_the_slices_of_a_large_job_side_by_side(api, account):
    from campaigns.models import BulkJobSlice
    from outreach.testing import running_worker

    f.lines(account, 2)
    messages = [{"to": f"+1512555{3100 + i}", "body": f"order {i}"} for i in range(40)]
    with running_worker(concurrency=2, FANOUT_SLICES=2, FANOUT_SLICE_MIN=10, FANOUT_CHUNK=6):
        response = api.post("/api/v1/messages/bulk", {"messages": messages}, format="json")
        assert response.status_code == 201, response.content
        job_id = response.json()["jobId"]
        wait_for(lambda: api.get(f"/api/v1/messages/bulk/{job_id}").json()["processed"] == 40)
        wait_for(lambda: BulkJob.objects.get().fanout_done_at is not None)
    job = BulkJob.objects.get()
    assert BulkJobSlice.objects.filter(job=job).count() == 2
    assert Message.objects.filter(bulk_result__job=job).count() == 40
    results = api.get(f"/api/v1/messages/bulk/{job_id}/results").json()
    assert results["total"] == 40
    assert [r["index"] for r in results["items"]] == list(range(len(results["items"])))


def _post_json(api, url: str, payload) -> object:
    # json.dumps escapes a lone surrogate as \ud800, as a client's JSON would carry it.
    return api.generic("POST", url, json.dumps(payload), content_type="application/json")


@pytest.mark.django_db
def test_an_item_a_single_send_refuses_refuses_the_whole_job(api, account):
    f.lines(account, 1)
    single = _post_json(api, "/api/v1/messages", {"to": "+15125550700", "body": "nul \x00 here"})
    assert single.status_code == 422
    response = _post_json(api, "/api/v1/messages/bulk", {"messages": [
        {"to": "+15125550700", "body": "fine"},
        {"to": "+15125550701", "body": "nul \x00 here"},
        {"to": "\ud800", "body": "lone surrogate in to"},
        {"to": "+15125550702", "body": "lone \udfff surrogate"},
    ]})
    assert response.status_code == 422, response.content
    assert_matches_schema(response, "/api/v1/messages/bulk")
    errors = response.json()["errors"]
    assert set(errors) == {"messages.1.body", "messages.2.to", "messages.3.body"}
    assert "NUL character" in errors["messages.1.body"][0]
    assert "unpaired surrogate" in errors["messages.2.to"][0] and "U+DFFF" in errors["messages.3.body"][0]
    assert not BulkJob.objects.exists() and not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_unstorable_item_is_a_failed_row_and_the_job_completes(api, account, worker):
    from campaigns import tasks

    f.lines(account, 1)
    items = [
        {"to": "+15125550720", "body": "good"},
        {"to": "+15125550721", "body": "nul \x00 here"},
        {"to": "\ud800", "body": "surrogate in to"},
        "not an object",
    ]
    # Straight into the payload, as if the request's check had been skipped.
    job = BulkJob.objects.create(account=account, total_recipients=len(items), payload=json.dumps(items))
    tasks.run_bulk_job.delay(str(job.pk))
    url = f"/api/v1/messages/bulk/{job.public_id}"
    detail = wait_for(lambda: (d := api.get(url).json())["status"] == "completed" and d, timeout=60,
                      message="the bulk job did not complete")
    assert detail["completedAt"] is not None  # recorded with the status, not by a later sweep
    assert detail["processed"] == 4 and detail["counts"]["failed"] == 3
    results = {r["index"]: r for r in api.get(f"{url}/results").json()["items"]}
    assert results[0]["status"] in ("sent", "delivered", "read") and results[0]["messageId"]
    assert results[1]["status"] == "failed" and "NUL" in results[1]["error"]
    assert results[2]["status"] == "failed" and "surrogate" in results[2]["error"]
    assert results[2]["to"] == "\\ud800"
    assert results[3]["status"] == "failed" and "{to, body}" in results[3]["error"]
    assert Message.objects.filter(bulk_result__job=job).count() == 1
