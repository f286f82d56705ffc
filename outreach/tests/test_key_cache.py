"""A change to an API key from anywhere -- here Django admin's change form and delete,
over HTTP as a staff user -- refuses or limits the key on the very next API call, though
keys are cached for a minute after their lookup."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.forms import MultiWidget
from django.urls import reverse
from django.utils import timezone

from outreach.testing import key_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw"))
    return client


def change_form_data(admin_client, key) -> tuple[str, dict]:
    """The admin change form's URL and its current values, as the browser would post them."""
    url = reverse("admin:outreach_apikey_change", args=[key.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {}
    for bound in form:
        value, widget = bound.value(), bound.field.widget
        if isinstance(widget, MultiWidget):
            for i, part in enumerate(widget.decompress(value)):
                data[f"{bound.html_name}_{i}"] = "" if part is None else str(part)
        elif value is not None and value is not False:
            data[bound.html_name] = value
    return url, data


def save_in_admin(admin_client, key, **changes) -> None:
    url, data = change_form_data(admin_client, key)
    data.update(changes)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors


@pytest.fixture
def api(account):
    api = key_client(account, ["full_access"])
    assert api.get("/api/v1/contacts").status_code == 200  # the key is now cached
    return api


def test_revoking_in_admin_refuses_the_next_call(api, admin_client):
    save_in_admin(admin_client, api.key, revoked_at_0="2026-01-01", revoked_at_1="00:00:00")
    response = api.get("/api/v1/contacts")
    assert response.status_code == 401
    assert response.json()["detail"] == "This API key has been revoked."


def test_expiring_in_admin_refuses_the_next_call(api, admin_client):
    past = timezone.localtime() - dt.timedelta(minutes=1)
    save_in_admin(admin_client, api.key, expires_at_0=str(past.date()), expires_at_1=past.strftime("%H:%M:%S"))
    assert api.get("/api/v1/contacts").json()["detail"] == "This API key has expired."


def test_narrowing_scopes_in_admin_limits_the_next_call(api, admin_client):
    save_in_admin(admin_client, api.key, scopes='["read_only"]')
    assert api.get("/api/v1/contacts").status_code == 200
    assert api.post("/api/v1/contacts", {"phone_number": "+15551234567"}, format="json").status_code == 403


def test_deleting_in_admin_refuses_the_next_call(api, admin_client):
    url = reverse("admin:outreach_apikey_delete", args=[api.key.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert api.get("/api/v1/contacts").json()["detail"] == "Invalid API key."
