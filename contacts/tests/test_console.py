"""Console pages over Django's test client: scoping, validation messages, CSV export."""
from __future__ import annotations

import csv
import io

import pytest

from contacts.models import Contact, ContactList, ImportJob
from contacts.tests.factories import ContactFactory, ContactListFactory

pytestmark = pytest.mark.django_db


def test_pages_need_a_login(client):
    response = client.get("/contacts/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_table_filters_and_exports_what_it_shows(staff, account, other_account):
    lst = ContactListFactory(account=account, name="VIPs")
    ann = ContactFactory(account=account, first_name="Ann", tags=["vip"], custom_variables={"plan": "gold"})
    ann.lists.add(lst)
    ContactFactory(account=account, first_name="Bob")
    ContactFactory(account=other_account, first_name="Ann")
    page = staff.get("/contacts/", {"search": "ann"})
    assert page.status_code == 200
    assert [c.first_name for c in page.context["page"].object_list] == ["Ann"]
    export = staff.get("/contacts/export.csv", {"list_id": str(lst.pk)})
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert [(r["first_name"], r["tags"], r["lists"], r["custom_variables"]) for r in rows] == [
        ("Ann", "vip", "VIPs", "plan=gold")
    ]
    bad = staff.get("/contacts/", {"list_id": "nope", "sort": "password"})
    assert bad.status_code == 200 and "Enter a valid UUID" in bad.content.decode()
    assert not bad.context["page"].object_list
    everyone = staff.get("/contacts/export.csv")
    assert len(list(csv.reader(io.StringIO(b"".join(everyone.streaming_content).decode())))) == 3  # header + 2


def test_new_contact_form_reports_service_errors_on_the_field(staff, account):
    response = staff.post("/contacts/new/", {"phone_number": "nope", "timezone": "Mars/Base"})
    assert response.status_code == 422
    form = response.context["form"]
    assert "not a phone number" in form.errors["phone_number"][0]
    response = staff.post("/contacts/new/", {"phone_number": "(555) 777-0000", "timezone": "Mars/Base"})
    assert "IANA time zone" in response.context["form"].errors["timezone"][0]
    response = staff.post("/contacts/new/", {"phone_number": "(555) 777-0000", "tags": "a, b",
                                             "custom_variables": "plan=gold\n"})
    contact = Contact.objects.get(account=account)
    assert response.status_code == 302 and response["Location"] == f"/contacts/{contact.pk}/"
    assert (contact.e164_number, contact.tags, contact.custom_variables) == ("+15557770000", ["a", "b"], {"plan": "gold"})


def test_another_accounts_objects_are_404(staff, other_account):
    theirs = ContactFactory(account=other_account)
    their_list = ContactListFactory(account=other_account)
    job = ImportJob.objects.create(account=other_account, filename="x.csv", content="phone\n1\n")
    for url in (f"/contacts/{theirs.pk}/", f"/contacts/lists/{their_list.pk}/", f"/contacts/import/{job.pk}/",
                f"/contacts/import/{job.pk}/map/", f"/contacts/import/{job.pk}/rejected.csv"):
        assert staff.get(url).status_code == 404, url
    assert staff.post(f"/contacts/{theirs.pk}/opt").status_code == 404
    assert staff.post(f"/contacts/{theirs.pk}/delete").status_code == 404
    assert staff.post(f"/contacts/lists/{their_list.pk}/delete").status_code == 404
    assert Contact.objects.filter(pk=theirs.pk, opted_out_at__isnull=True).exists()
    assert ContactList.objects.filter(pk=their_list.pk).exists()


def test_upload_refuses_a_file_that_is_not_a_csv_of_contacts(staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = staff.post("/contacts/import/", {"file": SimpleUploadedFile("a.csv", b"phone\n")})
    assert response.status_code == 422
    assert "no contacts" in response.context["form"].errors["file"][0]
    response = staff.post("/contacts/import/", {"file": SimpleUploadedFile("a.csv", b"phone,name\n+15551234567,A\n")})
    job = ImportJob.objects.get()
    assert response["Location"] == f"/contacts/import/{job.pk}/map/"
    mapped = staff.post(f"/contacts/import/{job.pk}/map/", {"col_0": "", "col_1": "first_name"})
    assert mapped.status_code == 422
    assert "Map one column to Phone number" in str(mapped.context["form"].non_field_errors())


def test_the_contact_page_links_to_its_conversation(staff, account):
    from messaging.services import add_line, direct_conversation

    contact = ContactFactory(account=account)
    page = staff.get(f"/contacts/{contact.pk}/")
    assert "none yet" in page.content.decode()
    line = add_line(account, "+15125550100")
    conversation = direct_conversation(account, line, contact.e164_number, contact)
    page = staff.get(f"/contacts/{contact.pk}/")
    assert f'href="/messages/inbox/{conversation.pk}/"' in page.content.decode()
