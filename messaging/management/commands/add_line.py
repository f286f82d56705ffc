from django.core.management.base import BaseCommand, CommandError

from messaging.choices import Provider
from messaging.providers import registry
from messaging.services import add_line
from outreach.audit import record
from outreach.choices import AuditAction
from outreach.exceptions import OutreachError
from outreach.models import Account


class Command(BaseCommand):
    help = "Add a sending line (phone number) to an account."

    def add_arguments(self, parser):
        parser.add_argument("--account", required=True, help="account name")
        parser.add_argument("--number", required=True, help="E.164, e.g. +15550001000")
        parser.add_argument("--provider", choices=list(registry.PROVIDERS), default=Provider.SANDBOX)
        parser.add_argument("--name", default="")

    def handle(self, account, number, provider, name, **options):
        try:
            acct = Account.objects.get(name=account)
        except Account.DoesNotExist:
            raise CommandError(f"No account named {account!r}.") from None
        try:
            line = add_line(acct, number, provider, name=name)
        except OutreachError as exc:
            raise CommandError(exc.message) from exc
        # An operator's command: the audit log names no person ("system").
        record(acct, None, AuditAction.LINE_ADDED, line, target_label=line.number, detail={"provider": line.provider})
        self.stdout.write(f"Added line {line.number} ({line.provider}) to {acct.name}")
