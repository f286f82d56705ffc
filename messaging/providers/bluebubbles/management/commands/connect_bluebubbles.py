"""connect_bluebubbles --line +15125550100 --url https://mac.example --password ... [--method private-api]

Points an existing line at a BlueBubbles server, tests it and registers our webhook on it.
Exits non-zero, saying what to fix, when the line is not healthy afterwards.
"""
from __future__ import annotations

import getpass
import os

from django.core.management.base import BaseCommand, CommandError

from messaging.models import Line
from messaging.providers.bluebubbles import services as bb
from messaging.providers.bluebubbles.provider import SendMethod
from outreach.exceptions import OutreachError
from outreach.phones import to_e164


class Command(BaseCommand):
    help = "Connect a line to a BlueBubbles server (a Mac running Messages.app)."

    def add_arguments(self, parser):
        parser.add_argument("--line", required=True, help="the line's number, E.164")
        parser.add_argument("--url", required=True, help="the BlueBubbles server URL")
        parser.add_argument(
            "--password", default=None,
            help="the server password (else $BLUEBUBBLES_PASSWORD, else asked for; keeps the stored one if empty)",
        )
        parser.add_argument("--method", choices=SendMethod.values, default=SendMethod.APPLE_SCRIPT)

    def handle(self, line, url, password, method, **options):
        try:
            number = to_e164(line, field="line")
        except OutreachError as exc:
            raise CommandError(exc.message) from exc
        target = Line.objects.select_related("account").filter(number=number).first()
        if target is None:
            raise CommandError(f"No line {number}; add it first: manage.py add_line --account ... --number {number}")
        if password is None:
            password = os.environ.get("BLUEBUBBLES_PASSWORD")
        if password is None and options.get("interactive", True) and os.isatty(0):
            password = getpass.getpass("BlueBubbles server password: ")
        try:
            bb.connect(target.account, target, url=url, method=method, password=password or "")
        except OutreachError as exc:
            raise CommandError(exc.message) from exc
        if not target.healthy:
            raise CommandError(f"{number} is saved but not healthy: {target.health_error}")
        self.stdout.write(f"{number} is connected to {url} ({method}); webhook {bb.webhook_url(target)}")
