"""The console's API keys page, with the Django test client (the browser test is apart)."""
import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from outreach.models import ApiKey
from outreach.services import create_api_key, create_staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(account):
    create_staff_user(account, "alice", "pw-alice-123", "owner")
    c = Client()
    c.login(username="alice", password="pw-alice-123")
    return c


def test_login_is_required(db):
    response = Client().get("/settings/api-keys/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_it_creates_a_key_and_shows_the_secret_once(admin_client, account):
    response = admin_client.post("/settings/api-keys/", {"name": "CRM", "scopes": ["contacts", "read_only"]}, follow=True)
    assert response.redirect_chain == [("/settings/api-keys/", 302)]
    full = response.context["created"]["full"]
    assert full.encode() in response.content
    assert APIClient().get("/api/v1/account", HTTP_X_API_KEY=full).status_code == 200
    again = admin_client.get("/settings/api-keys/")
    assert full.split(".")[1].encode() not in again.content
    assert b"CRM" in again.content
    key = ApiKey.objects.get(name="CRM")
    assert set(key.scopes) == {"contacts", "read_only"}


def test_a_key_gets_the_dialect_chosen_and_the_list_shows_it(admin_client, account):
    page = admin_client.get("/settings/api-keys/").content.decode()
    assert "<legend>Dialect</legend>" in page and 'value="arnio"' in page
    assert re.search(r'<input type="radio" name="dialect" value="sendblue"[^>]* checked>', page)
    response = admin_client.post("/settings/api-keys/", {"name": "Bridge", "scopes": ["messages"], "dialect": "arnio"},
                                 follow=True)
    full = response.context["created"]["full"]
    assert ApiKey.objects.get(name="Bridge").dialect == "arnio"
    assert APIClient().get("/api/v1/account", HTTP_X_API_KEY=full).json()["api_key"]["dialect"] == "arnio"
    row = response.content.decode().split(f'data-testid="key-row-{full.split(".")[0]}"')[1].split("</tr>")[0]
    assert '<td data-label="Dialect">Arnio</td>' in row
    admin_client.post("/settings/api-keys/", {"name": "Plain", "scopes": ["messages"]})
    assert ApiKey.objects.get(name="Plain").dialect == "sendblue"
    bad = admin_client.post("/settings/api-keys/", {"name": "Odd", "scopes": ["messages"], "dialect": "klingon"})
    assert bad.status_code == 422 and b"Select a valid choice" in bad.content
    assert not ApiKey.objects.filter(name="Odd").exists()


def test_it_says_what_to_fix(admin_client):
    response = admin_client.post("/settings/api-keys/", {"name": "", "scopes": []})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Choose at least one scope." in html
    assert "Give the key a name, e.g. &#x27;CRM sync&#x27;." in html
    assert "This field is required" not in html
    assert not ApiKey.objects.exists()


def test_revoke_works_and_another_accounts_key_is_a_404(admin_client, account, other_account):
    mine, secret = create_api_key(account, "mine", ["read_only"])
    theirs, _ = create_api_key(other_account, "theirs", ["read_only"])
    assert admin_client.post(f"/settings/api-keys/{theirs.pk}/revoke").status_code == 404
    response = admin_client.post(f"/settings/api-keys/{mine.pk}/revoke")
    assert response.status_code == 302
    assert APIClient().get("/api/v1/account", HTTP_X_API_KEY=f"{mine.key_id}.{secret}").status_code == 401
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_managers_cannot_manage_keys(account):
    create_staff_user(account, "sam", "pw-sam-12345", "manager")
    c = Client()
    c.login(username="sam", password="pw-sam-12345")
    assert c.get("/settings/api-keys/").status_code == 403
    assert c.get("/").status_code == 200


def test_the_account_switcher_only_switches_to_own_accounts(admin_client, account, other_account):
    from django.contrib.auth import get_user_model

    from outreach.services import add_member

    alice = get_user_model().objects.get(username="alice")
    response = admin_client.post("/account/switch", {"account": str(other_account.id)})
    assert admin_client.get("/").context["current_account"] == account
    add_member(other_account, alice, "owner")
    admin_client.post("/account/switch", {"account": str(other_account.id)})
    assert admin_client.get("/").context["current_account"] == other_account
    assert response.status_code == 302


def test_the_admin_never_shows_the_hash(account):
    from django.contrib.auth import get_user_model

    key, secret = create_api_key(account, "k", ["read_only"])
    get_user_model().objects.create_superuser("root", "r@example.com", "pw-root-1234")
    c = Client()
    c.login(username="root", password="pw-root-1234")
    page = c.get(f"/admin/outreach/apikey/{key.pk}/change/")
    assert page.status_code == 200
    assert key.secret_hash.encode() not in page.content and secret.encode() not in page.content


def test_every_page_links_the_api_docs_and_carries_a_favicon(admin_client):
    html = admin_client.get("/settings/api-keys/").content.decode()
    assert '<a href="/api/docs/"' in html
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
