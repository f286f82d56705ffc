"""The operators' management commands."""
import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from messaging.models import Line
from outreach.models import Account, Membership

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_account_then_key_then_line():
    run("create_account", "Acme", "--email", "ops@acme.test")
    assert Account.objects.get(name="Acme").email == "ops@acme.test"
    printed = json.loads(run("create_api_key", "--account", "Acme", "--scope", "messages", "--scope", "read_only", "--json"))
    assert set(printed) == {"key_id", "secret", "key", "dialect"}
    assert printed["key"] == f"{printed['key_id']}.{printed['secret']}"
    response = APIClient().get("/api/v1/account", HTTP_X_API_KEY=printed["key"])
    assert response.json()["api_key"]["scopes"] == ["messages", "read_only"]
    run("add_line", "--account", "Acme", "--number", "(512) 555-0100", "--provider", "sandbox")
    assert Line.objects.get(account__name="Acme").number == "+15125550100"


def test_commands_say_what_is_wrong():
    with pytest.raises(CommandError, match="No account named 'Nope'"):
        run("create_api_key", "--account", "Nope", "--scope", "full_access")
    run("create_account", "Acme", "--email", "ops@acme.test")
    with pytest.raises(CommandError, match="already exists"):
        run("create_account", "Acme", "--email", "ops@acme.test")
    with pytest.raises(CommandError, match="not a phone number"):
        run("add_line", "--account", "Acme", "--number", "hello")


def test_seed_demo_runs_once(settings, tmp_path):
    settings.DEMO_LOGIN_FILE = tmp_path / "login.txt"
    first = run("seed_demo")
    assert "Login: admin / " in first and "X-API-Key: ok_" in first
    logins = dict(re.findall(r"(\w+) / (\S+)", first.split("Demo API key")[0]))
    assert set(logins) == {"admin", "manager", "agent"}
    roles = dict(Membership.objects.filter(account__name="Demo").values_list("user__username", "role"))
    assert roles == {"admin": "owner", "manager": "manager", "agent": "agent"}
    for username, password in logins.items():
        assert Client().login(username=username, password=password), username
    second = run("seed_demo")
    assert second == first.split("Demo API key")[0]  # the login again, never the key
    assert "X-API-Key" not in second
    assert Account.objects.filter(name="Demo").count() == 1
    assert Line.objects.filter(account__name="Demo").count() == 3


def test_create_api_key_takes_a_dialect(account):
    printed = json.loads(run("create_api_key", "--account", account.name, "--scope", "messages",
                             "--dialect", "arnio", "--json"))
    assert printed["dialect"] == "arnio"
    for _ in range(2):  # the second is served from the key cache
        response = APIClient().get("/api/v1/account", HTTP_X_API_KEY=printed["key"])
        assert response.json()["api_key"]["dialect"] == "arnio"
    default = json.loads(run("create_api_key", "--account", account.name, "--scope", "messages", "--json"))
    assert default["dialect"] == "sendblue"
    with pytest.raises(CommandError):
        run("create_api_key", "--account", account.name, "--scope", "messages", "--dialect", "klingon")


def test_create_account_makes_its_first_owner():
    printed = run("create_account", "Acme", "--email", "ops@acme.test", "--owner", "olive")
    password = re.search(r"Owner: olive / (\S+) \(shown this once\)", printed).group(1)
    assert Membership.objects.get(account__name="Acme", user__username="olive").role == "owner"
    client = Client()
    assert client.login(username="olive", password=password)
    assert client.get("/people/").status_code == 200
    again = run("create_account", "Beta", "--email", "ops@beta.test", "--owner", "olive")
    assert "Owner: olive\n" in again  # an existing user: no new password
    with pytest.raises(CommandError, match="already exists"):
        run("create_account", "Beta", "--email", "ops@beta.test", "--owner", "newbie")
    assert not Membership.objects.filter(user__username="newbie").exists()
