"""The inbox's rows of ``make run``'s demo account (registered with ``outreach.demo``)."""
from __future__ import annotations

from ..models import CannedReply, Label
from ..policy import SYSTEM
from .catalog import save_canned, save_label

DEMO_LABELS = [("Lead", "#16a34a"), ("Support", "#2563eb"), ("Billing", "#d97706")]
DEMO_CANNED = [
    ("thanks", "Thanks {first_name|there}! We got your message and will get back to you shortly."),
    ("hours", "Hi {first_name|there}, we're open Monday to Friday, 9am to 6pm. Reply here any time."),
]


def seed_demo(account) -> None:
    """A few labels and canned replies; those the account already has are left as they are."""
    for name, colour in DEMO_LABELS:
        if not Label.objects.filter(account=account, name__iexact=name).exists():
            save_label(account, {"name": name, "colour": colour}, actor=SYSTEM)
    for shortcut, body in DEMO_CANNED:
        if not CannedReply.objects.filter(account=account, shortcut=shortcut).exists():
            save_canned(account, {"shortcut": shortcut, "body": body}, actor=SYSTEM)
