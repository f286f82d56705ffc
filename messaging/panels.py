"""What messaging shows on other apps' pages (registered in ``apps.py``; see
``outreach/panels.py``): the home dashboard's figures and a contact's conversations."""
from __future__ import annotations

from django.urls import reverse

from outreach.models import Account

from . import dashboard
from .models import Conversation

CONTACT_CONVERSATIONS = 10


def home(account: Account, obj=None) -> dict:
    return dashboard.context(account)


def contact(account: Account, contact) -> dict:
    """The contact page's links to the contact's conversations in the inbox."""
    conversations = Conversation.objects.filter(account=account, contact_id=contact.pk)[:CONTACT_CONVERSATIONS]
    return {"conversations": [(c, reverse("messaging:thread", args=[c.pk])) for c in conversations]}
