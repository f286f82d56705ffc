import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from outreach.choices import Plan, Role
from outreach.exceptions import OutreachError
from outreach.services import add_member, create_account


class Command(BaseCommand):
    help = "Create an account (a business using Outreach), optionally with its first owner."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--email", required=True, help="reported as accountEmail")
        parser.add_argument("--plan", choices=Plan.values, default=Plan.SANDBOX)
        parser.add_argument(
            "--owner", metavar="USERNAME",
            help="the account's first owner: an existing user, or a new one whose password is printed once",
        )

    def handle(self, name, email, plan, owner=None, **options):
        users = get_user_model().objects
        try:
            with transaction.atomic():
                account = create_account(name, email, plan)
                password = None
                if owner:
                    user = users.filter(username=owner).first()
                    if user is None:
                        password = secrets.token_urlsafe(12)
                        user = users.create_user(username=owner, email=email, password=password)
                    add_member(account, user, Role.OWNER)
        except OutreachError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Created account {account.name} ({account.id})")
        if owner:
            self.stdout.write(f"Owner: {owner}" + (f" / {password} (shown this once)" if password else ""))
