import json

from django.core.management.base import BaseCommand, CommandError

from outreach.choices import Dialect, Scope
from outreach.exceptions import OutreachError
from outreach.models import Account
from outreach.services import create_api_key, full_key


class Command(BaseCommand):
    help = "Create an API key and print its secret (shown this once, never stored)."

    def add_arguments(self, parser):
        parser.add_argument("--account", required=True, help="account name")
        parser.add_argument(
            "--scope", action="append", required=True, choices=Scope.values, dest="scopes"
        )
        parser.add_argument("--name", default="Command-line key")
        parser.add_argument(
            "--dialect", choices=Dialect.values, default=Dialect.SENDBLUE,
            help="wire dialect of the key's messages and callbacks (default sendblue)",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, account, scopes, name, dialect=Dialect.SENDBLUE, json: bool = False, **options):
        try:
            acct = Account.objects.get(name=account)
        except Account.DoesNotExist:
            raise CommandError(f"No account named {account!r}.") from None
        try:
            key, secret = create_api_key(acct, name, scopes, dialect=dialect)
        except OutreachError as exc:
            raise CommandError(exc.message) from exc
        if json:
            self.stdout.write(_json({
                "key_id": key.key_id, "secret": secret, "key": full_key(key, secret), "dialect": key.dialect,
            }))
        else:
            self.stdout.write(f"API key for {acct.name} ({', '.join(key.scopes)}; {key.dialect} dialect), shown once:")
            self.stdout.write(f"  X-API-Key: {full_key(key, secret)}")
            self.stdout.write(f"  sb-api-key-id: {key.key_id}")
            self.stdout.write(f"  sb-api-secret-key: {secret}")


def _json(obj) -> str:
    return json.dumps(obj)
