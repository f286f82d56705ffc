"""The console's bulk job form over the test client: the API's service and messages, every
bad field at once, pasted and uploaded recipients, scoping."""
from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from campaigns.models import BulkJob
from messaging.validation import MAX_CONTENT_LENGTH
from outreach.services import create_staff_user

from . import factories as f

pytestmark = pytest.mark.django_db


def _errors(response) -> dict[str, list[str]]:
    return {k: list(v) for k, v in response.context["form"].errors.items()}


def test_every_bad_field_is_reported_at_once(staff, account):
    f.lines(account, 1)
    response = staff.post("/campaigns/bulk/new", {"recipients": "\n \n", "body": "", "priority": "500"})
    assert response.status_code == 422
    assert _errors(response) == {
        "recipients": ["to is required: a phone number (E.164) or an Apple ID email."],
        "body": ["body is required: the message text."],
        "priority": ["priority must be a whole number from 0 to 100."],
    }
    long = staff.post("/campaigns/bulk/new", {"recipients": "+15125550980\n+15125550981", "body": "x" * MAX_CONTENT_LENGTH})
    assert _errors(long) == {"body": [f"body must be shorter than {MAX_CONTENT_LENGTH} characters."]}  # once
    word = staff.post("/campaigns/bulk/new", {"recipients": "+15125550980", "body": "hi", "priority": "soon"})
    assert _errors(word) == {"priority": ["Enter a whole number."]}
    assert not BulkJob.objects.exists()


def test_pasted_recipients_become_a_job_through_the_apis_service(staff, account, django_capture_on_commit_callbacks):
    f.lines(account, 1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = staff.post("/campaigns/bulk/new", {
            "recipients": "+15125550980\n\n  nope  \nann@example.com\n", "body": "Hello!", "priority": "7",
        })
    job = BulkJob.objects.get(account=account)
    assert response.status_code == 302 and response["Location"] == f"/campaigns/bulk/{job.pk}/"
    assert len(callbacks) == 1  # the job's task, sent once the job commits
    assert (job.total_recipients, job.priority) == (3, 7)
    assert json.loads(job.payload) == [
        {"to": "+15125550980", "body": "Hello!"}, {"to": "nope", "body": "Hello!"},
        {"to": "ann@example.com", "body": "Hello!"},
    ]
    page = staff.get(response["Location"])
    assert "Queued bulk job" in page.content.decode() and 'hx-trigger="every 2s"' in page.content.decode()


def test_a_csv_upload_takes_the_recipient_column(staff, account):
    f.lines(account, 1)
    upload = SimpleUploadedFile("people.csv", b"Name,Phone\nAnn,+15125550980\nBen,+15125550981\n,\n", "text/csv")
    response = staff.post("/campaigns/bulk/new", {"file": upload, "body": "Hi", "recipients": "+15125550982"})
    assert response.status_code == 302
    payload = json.loads(BulkJob.objects.get().payload)
    assert [item["to"] for item in payload] == ["+15125550982", "+15125550980", "+15125550981"]
    bare = SimpleUploadedFile("numbers.csv", b"+15125550983\n+15125550984\n", "text/csv")
    staff.post("/campaigns/bulk/new", {"file": bare, "body": "Hi"})
    assert BulkJob.objects.order_by("-created_at").first().total_recipients == 2
    sheet = SimpleUploadedFile("people.xlsx", b"PK\x03\x04\x14\x00", "application/octet-stream")
    refused = staff.post("/campaigns/bulk/new", {"file": sheet, "body": ""})
    assert refused.status_code == 422
    assert "not a CSV file" in " ".join(_errors(refused)["file"]) and "body" in _errors(refused)


def test_an_account_without_lines_is_told_so(staff, account):
    response = staff.post("/campaigns/bulk/new", {"recipients": "+15125550980", "body": "Hi"})
    assert response.status_code == 422
    assert "no active line" in " ".join(response.context["form"].non_field_errors())


def test_another_accounts_job_is_a_404_and_posting_needs_csrf(staff, account, other_account):
    f.lines(other_account, 1, prefix="+1512666")
    theirs = BulkJob.objects.create(account=other_account, total_recipients=0, payload="[]")
    assert staff.get(f"/campaigns/bulk/{theirs.pk}/").status_code == 404
    create_staff_user(account, "dave", "pw-for-tests-123", "manager")
    strict = Client(enforce_csrf_checks=True)
    strict.login(username="dave", password="pw-for-tests-123")
    assert strict.post("/campaigns/bulk/new", {"recipients": "+15125550980", "body": "Hi"}).status_code == 403
    assert not BulkJob.objects.filter(account=account).exists()
