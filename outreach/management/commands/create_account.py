from django.core.management.base import BaseCommand, CommandError

from outreach.choices import Plan
from outreach.exceptions import OutreachError
from outreach.services import create_account


class Command(BaseCommand):
    help = "Create an account (a business using Outreach)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--email", required=True, help="reported as accountEmail")
        parser.add_argument("--plan", choices=Plan.values, default=Plan.SANDBOX)

    def handle(self, name, email, plan, **options):
        try:
            account = create_account(name, email, plan)
        except OutreachError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Created account {account.name} ({account.id})")
