"""CSV import: reading, mapping, chunked runs (resumable), and the task on a real worker."""
from __future__ import annotations

import csv
import io

import pytest

from contacts import imports
from contacts.choices import ImportStatus
from contacts.models import Contact, ImportJob
from contacts.tests.factories import ContactFactory, ContactListFactory
from outreach.exceptions import InvalidInput
from outreach.testing import wait_for

CSV = (
    "Phone,First Name,Surname,Plan,Tags\n"
    "(555) 400-0001,Ann,Able,gold,\"vip, lead\"\n"
    "555-400-0002,Ben,Baker,,\n"
    "\n"
    "not-a-number,Cal,Cole,,\n"
    "+15554000001,Ann,Again,,\n"
    "+15554000009,Existing,Person,,\n"
    "+15554000003,Dee,Dunn,silver,\n"
)


def test_it_guesses_a_mapping_and_refuses_bad_ones():
    header, preview = imports.read_header(CSV)
    assert header == ["Phone", "First Name", "Surname", "Plan", "Tags"]
    assert preview[0][1] == "Ann"
    assert imports.guess_mapping(header) == {
        "Phone": "phone_number", "First Name": "first_name", "Surname": "last_name", "Plan": "", "Tags": "tags",
    }
    with pytest.raises(InvalidInput, match="Map one column to Phone number"):
        imports.check_mapping(header, {"First Name": "first_name"})
    with pytest.raises(InvalidInput, match="both map to first_name"):
        imports.check_mapping(header, {"Phone": "phone_number", "First Name": "first_name", "Surname": "first_name"})
    with pytest.raises(InvalidInput, match="no contacts"):
        imports.read_header("phone\n")
    with pytest.raises(InvalidInput, match="empty"):
        imports.read_header("")
    assert imports.decode_upload("phone\n+1555\n".encode("utf-8-sig")) == "phone\n+1555\n"
    assert imports.decode_upload("name\nJosé\n".encode("cp1252")) == "name\nJosé\n"
    with pytest.raises(InvalidInput, match="not a CSV file"):
        imports.decode_upload(b"PK\x03\x04\x14\x00\x06\x00")  # an .xlsx


def _job(account, lists=()):
    mapping = {"Phone": "phone_number", "First Name": "first_name", "Surname": "last_name",
               "Plan": "custom:plan", "Tags": "tags"}
    draft = imports.upload(account, filename="people.csv", raw=CSV.encode())
    return imports.start_import(account, draft, mapping=mapping, lists=list(lists))


@pytest.mark.django_db
def test_a_run_creates_skips_and_rejects_with_an_error_file(account, django_capture_on_commit_callbacks, monkeypatch):
    ContactFactory(account=account, e164_number="+15554000009")
    lst = ContactListFactory(account=account)
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)  # several chunks even for a small file
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = _job(account, [lst])
    assert len(callbacks) == 1  # the task is sent only after the job commits
    assert job.total_rows == 6
    imports.run_import(str(job.pk))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert (job.processed_rows, job.created_count, job.duplicate_count, job.error_count) == (6, 3, 2, 1)
    ann = Contact.objects.get(account=account, e164_number="+15554000001")
    assert (ann.first_name, ann.custom_variables, ann.tags) == ("Ann", {"plan": "gold"}, ["vip", "lead"])
    assert list(ann.lists.all()) == [lst]
    rejected = list(csv.reader(io.StringIO(job.rejected_csv)))
    assert rejected[0] == ["line", "Phone", "First Name", "Surname", "Plan", "Tags", "error"]
    assert rejected[1][:2] == ["5", "not-a-number"]
    assert "not a phone number" in rejected[1][-1]
    imports.run_import(str(job.pk))  # a second delivery changes nothing
    assert Contact.objects.filter(account=account).count() == 4


@pytest.mark.django_db
def test_a_run_resumes_after_the_last_committed_chunk(account, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    job = _job(account)
    # As if a worker died after committing the first chunk: those rows are not read again.
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=2, created_count=2, status=ImportStatus.RUNNING)
    imports.run_import(str(job.pk))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert not Contact.objects.filter(e164_number="+15554000002").exists()
    assert (job.created_count, job.duplicate_count, job.error_count) == (5, 0, 1)  # 2 + the 3 left


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_import_runs_on_a_real_worker(account, worker):
    job = _job(account)
    wait_for(lambda: ImportJob.objects.get(pk=job.pk).finished, timeout=30, message="import did not finish")
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.failure
    assert (job.created_count, job.duplicate_count, job.error_count) == (4, 1, 1)


@pytest.mark.django_db
def test_a_job_gone_quiet_is_sent_again(account, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from contacts import tasks

    job = _job(account)
    sent: list[str] = []
    monkeypatch.setattr(tasks.import_contacts, "delay", sent.append)
    assert tasks.resume_stale_imports() == 0  # it just started
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    assert tasks.resume_stale_imports() == 1 and sent == [str(job.pk)]
    imports.run_import(str(job.pk))
    assert ImportJob.objects.get(pk=job.pk).finished
    sent.clear()
    assert tasks.resume_stale_imports() == 0 and sent == []  # a finished job is never re-sent
