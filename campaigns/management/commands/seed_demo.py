"""Seed the demo account once: an owner, a manager and an agent login, three sandbox lines,
sample contacts and lists, a draft campaign, a full-access API key, and what other apps
register with ``outreach.demo`` (the inbox's labels and canned replies). Running it again
changes nothing and prints the logins."""
from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from messaging.services import add_line
from outreach import demo
from outreach.choices import Plan, Role, Scope
from outreach.models import Account
from outreach.services import create_account, create_api_key, create_staff_user, full_key

DEMO_ACCOUNT = "Demo"
DEMO_USER = "admin"
#: The demo's other people: (username, role), each with a login printed like the owner's.
DEMO_PEOPLE = [("manager", Role.MANAGER), ("agent", Role.AGENT)]
DEMO_LINES = ["+15550001001", "+15550001002", "+15550001003"]


class Command(BaseCommand):
    help = "Create the demo account, logins, lines, contacts and API key (once)."

    def handle(self, **options):
        creds = settings.DEMO_LOGIN_FILE
        if Account.objects.filter(name=DEMO_ACCOUNT).exists():
            if creds.exists():
                self.stdout.write(creds.read_text())
            return
        password = secrets.token_urlsafe(9)
        others = []
        users = get_user_model().objects
        with transaction.atomic():
            account = create_account(DEMO_ACCOUNT, "demo@example.com", Plan.SANDBOX)
            if not users.filter(username=DEMO_USER).exists():
                user = create_staff_user(account, DEMO_USER, password, Role.OWNER)
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            for username, role in DEMO_PEOPLE:
                if not users.filter(username=username).exists():
                    other_password = secrets.token_urlsafe(9)
                    create_staff_user(account, username, other_password, role)
                    others.append(f"{role.label} login: {username} / {other_password}\n")
            for i, number in enumerate(DEMO_LINES, 1):
                add_line(account, number, name=f"Sandbox line {i}")
            self.seed_contacts(account)
            self.seed_campaign(account)
            demo.seed(account)
            key, secret = create_api_key(account, "Demo full-access key", [Scope.FULL_ACCESS])
        login = f"Login: {DEMO_USER} / {password}  (owner)\n" + "".join(others)
        creds.write_text(login)
        creds.chmod(0o600)
        self.stdout.write(login)
        self.stdout.write(
            "Demo API key (shown this once; create more under API keys):\n"
            f"  X-API-Key: {full_key(key, secret)}\n"
        )

    def seed_contacts(self, account: Account) -> None:
        """Sample contacts and lists, when the contacts app provides a seeder."""
        try:
            from contacts.services import seed_demo_contacts
        except ImportError:
            return
        seed_demo_contacts(account)

    def seed_campaign(self, account: Account) -> None:
        """A draft campaign on the first demo list, ready to start from the console."""
        from campaigns.services import create_campaign
        from contacts.models import ContactList

        first = ContactList.objects.filter(account=account).order_by("name").first()
        if first is not None:
            create_campaign(account, {
                "name": "Spring welcome (demo)",
                "body": "Hi {first_name|there}, spring is here: reply YES for {offer|10% off} your next visit.",
            }, list_ids=[first.pk])
