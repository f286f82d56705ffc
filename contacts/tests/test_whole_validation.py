"""A contact with several mistakes is refused with all of them at once, in the console form
and in the v1 API, each message saying what to fix."""
import pytest
from django.test import Client

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from outreach.services import create_staff_user

pytestmark = pytest.mark.django_db

FOUR_BAD = {"phone_number": "12", "email": "nope", "timezone": "Mars/Base"}
EXPECTED = {
    "phone_number": "phone number",
    "email": "'nope' is not an email address; use the form name@example.com.",
    "timezone": "'Mars/Base' is not an IANA time zone; use a name such as America/New_York.",
    "custom_variables": "Custom variable name '1st' must start with a letter or _",
}


def test_the_api_reports_every_invalid_field_at_once(api):
    response = api.post("/api/v1/contacts", {**FOUR_BAD, "custom_variables": {"1st": "x"}}, format="json")
    assert response.status_code == 422
    body = response.json()
    assert list(body["errors"]) == list(EXPECTED)
    for field, text in EXPECTED.items():
        assert text in body["errors"][field][0]
        assert text in body["detail"]
    assert not Contact.objects.exists()


def test_a_wrong_type_and_a_wrong_value_are_reported_together(api):
    response = api.post("/api/v1/contacts", {"phone_number": "+15551234567", "tags": "vip", "email": "nope"},
                        format="json")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"tags", "email"}
    assert errors["email"] == [EXPECTED["email"]]


def test_an_update_reports_every_invalid_field_at_once(api, account):
    contact = ContactFactory(account=account)
    response = api.patch(f"/api/v1/contacts/{contact.pk}", {"email": "nope", "timezone": "Mars/Base"}, format="json")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"email", "timezone"}
    contact.refresh_from_db()
    assert contact.email == ""


def test_one_invalid_field_keeps_its_own_message(api):
    response = api.post("/api/v1/contacts", {"phone_number": "+15551234567", "email": "nope"}, format="json")
    assert response.json() == {"detail": EXPECTED["email"], "errors": {"email": [EXPECTED["email"]]}}


def test_the_console_form_reports_every_invalid_field_at_once(account):
    create_staff_user(account, "alice", "correct-horse-battery", "owner")
    client = Client()
    client.login(username="alice", password="correct-horse-battery")
    response = client.post("/contacts/new/", {**FOUR_BAD, "custom_variables": "1st=x\nplan"})
    assert response.status_code == 422
    html = response.content.decode().replace("&#x27;", "'")
    assert "Line 2 needs the form name=value, e.g. plan=gold." in html
    for field in ("phone_number", "email", "timezone"):
        assert EXPECTED[field] in html
        assert f'id="id_{field}_error"' in html
    assert not Contact.objects.exists()
