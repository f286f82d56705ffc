"""An import's result page over the test client: its rejected and duplicate rows (kept per
row, paginated), the heading, and a list made of everyone the file names."""
from __future__ import annotations

import pytest
from django.test import Client

from contacts import imports
from contacts.choices import ImportRowKind
from contacts.models import Contact, ContactList, ImportJob
from contacts.tests.factories import ContactFactory
from outreach.services import create_staff_user

pytestmark = pytest.mark.django_db


def _run(account, text: str, monkeypatch) -> ImportJob:
    monkeypatch.setattr(imports, "CHUNK_ROWS", 7)  # rows of several chunks
    draft = imports.upload(account, filename="people.csv", raw=text.encode())
    job = imports.start_import(account, draft, mapping={"phone": "phone_number", "name": "first_name"}, lists=[])
    imports.run_import(str(job.pk))
    job.refresh_from_db()
    return job


def test_rows_that_created_no_contact_are_kept_with_their_reason(account, monkeypatch):
    ContactFactory(account=account, e164_number="+15554200001", first_name="Old")
    text = "phone,name\n+15554200001,Again\n12,Short\n+15554200002,New\n+15554200002,Twice\n"
    job = _run(account, text, monkeypatch)
    rows = [(r.kind, r.line, r.e164_number, r.reason[:14], r.cells) for r in job.rows.all()]
    assert rows == [
        (ImportRowKind.DUPLICATE, 2, "+15554200001", "", ["+15554200001", "Again"]),
        (ImportRowKind.REJECTED, 3, "", "'12' cannot be", ["12", "Short"]),
        (ImportRowKind.DUPLICATE, 5, "+15554200002", "", ["+15554200002", "Twice"]),
    ]
    assert (job.created_count, job.duplicate_count, job.error_count) == (1, 2, 1)
    assert Contact.objects.get(e164_number="+15554200002").source_import_id == job.pk
    assert Contact.objects.get(e164_number="+15554200001").source_import_id is None


def test_the_result_page_paginates_rejected_and_duplicate_rows(staff, account, other_account, monkeypatch):
    lines = [f"+1555430{i:04d},P{i}" for i in range(30)]
    lines += [f"bad{i},X" for i in range(30)]
    lines += [f"+1555430{i:04d},Dup{i}" for i in range(27)]
    job = _run(account, "phone,name\n" + "\n".join(lines) + "\n", monkeypatch)
    page = staff.get(f"/contacts/import/{job.pk}/")
    text = page.content.decode()
    assert "Imported people.csv" in text
    assert len(page.context["rejected"].object_list) == 25 and page.context["rejected"].paginator.count == 30
    assert page.context["duplicates"].paginator.count == 27
    second = staff.get(f"/contacts/import/{job.pk}/", {"rejected_page": 2, "duplicate_page": 2})
    assert [r.line for r in second.context["rejected"].object_list] == list(range(57, 62))
    assert [r.line for r in second.context["duplicates"].object_list] == [87, 88]
    assert [c.first_name for _, c in second.context["duplicate_rows"]] == ["P25", "P26"]  # linked
    create_staff_user(other_account, "bob", "pw-for-tests-123", "manager")
    bob = Client()
    bob.login(username="bob", password="pw-for-tests-123")
    assert bob.get(f"/contacts/import/{job.pk}/").status_code == 404
    assert bob.post(f"/contacts/import/{job.pk}/save-as-list", {"name": "Mine"}).status_code == 404


def test_while_running_the_page_says_importing_and_htmx_reloads_it_when_done(staff, account, monkeypatch):
    draft = imports.upload(account, filename="later.csv", raw=b"phone\n+15554400001\n")
    job = imports.start_import(account, draft, mapping={"phone": "phone_number"}, lists=[])
    assert "Importing later.csv" in staff.get(f"/contacts/import/{job.pk}/").content.decode()
    polled = staff.get(f"/contacts/import/{job.pk}/", HTTP_HX_REQUEST="true")
    assert polled.status_code == 200 and "HX-Refresh" not in polled
    assert staff.post(f"/contacts/import/{job.pk}/save-as-list", {"name": "Early"}).status_code == 302
    assert not ContactList.objects.filter(name="Early").exists()  # not before it is done
    imports.run_import(str(job.pk))
    assert staff.get(f"/contacts/import/{job.pk}/", HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"


def test_a_list_of_everyone_the_file_names(staff, account, monkeypatch):
    old = ContactFactory(account=account, e164_number="+15554500001")
    ContactFactory(account=account, e164_number="+15554500099")  # not in the file
    job = _run(account, "phone,name\n+15554500001,Old\n+15554500002,New\nnope,Bad\n", monkeypatch)
    response = staff.post(f"/contacts/import/{job.pk}/save-as-list", {"name": "From the fair"})
    lst = ContactList.objects.get(account=account, name="From the fair")
    assert response["Location"] == f"/contacts/lists/{lst.pk}/"
    assert sorted(c.e164_number for c in lst.contacts.all()) == [old.e164_number, "+15554500002"]
