"""List names are unique per account, case aside: 422 naming ``name`` in the API, the form's
error in the console, and a migration that renames the duplicates it finds."""
from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from contacts.models import ContactList
from outreach.services import create_staff_user

pytestmark = pytest.mark.django_db


def test_the_api_refuses_a_second_list_of_the_same_name(api, account, other_account, api_for):
    assert api.post("/api/v1/lists", {"name": "Customers"}, format="json").status_code == 201
    response = api.post("/api/v1/lists", {"name": " customers "}, format="json")
    assert response.status_code == 422, response.content
    assert "name" in response.json()["errors"] and "already exists" in response.json()["detail"]
    other = api.post("/api/v1/lists", {"name": "Leads"}, format="json").json()
    renamed = api.patch(f"/api/v1/lists/{other['id']}", {"name": "CUSTOMERS"}, format="json")
    assert renamed.status_code == 422 and "name" in renamed.json()["errors"]
    assert api.patch(f"/api/v1/lists/{other['id']}", {"name": "Leads", "description": "x"},
                     format="json").status_code == 200  # its own name is no clash
    # Another account may have its own "Customers".
    assert api_for(other_account, ["full_access"]).post("/api/v1/lists", {"name": "Customers"},
                                                        format="json").status_code == 201


def test_the_console_form_says_the_name_is_taken(account):
    ContactList.objects.create(account=account, name="Customers")
    client = Client()
    client.force_login(create_staff_user(account, "mia", "pw-for-tests-123", "manager"))
    response = client.post("/contacts/lists/", {"name": "customers"})
    assert response.status_code == 422
    assert "already exists" in str(response.context["form"].errors["name"])
    assert ContactList.objects.filter(account=account).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_renames_existing_duplicates(account):
    executor = MigrationExecutor(connection)
    before, after = [("contacts", "0006_import_rows")], [("contacts", "0007_list_names_unique")]
    executor.migrate(before)
    try:
        old = MigrationExecutor(connection).loader.project_state(before).apps.get_model("contacts", "ContactList")
        for name in ["Customers", "customers", "Customers", "Customers (2)", "Leads"]:
            old.objects.create(account_id=account.pk, name=name)
        MigrationExecutor(connection).migrate(after)
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    names = sorted(ContactList.objects.filter(account=account).values_list("name", flat=True))
    # The oldest keeps its name; the others take the next free number.
    assert names == ["Customers", "Customers (2)", "Customers (4)", "Leads", "customers (3)"]
