"""What messaging shows on other apps' pages and answers (registered in ``apps.py``; see
``outreach/panels.py``): the home dashboard's figures, a contact's conversations, and the
line each contact of an API page talks to."""
from __future__ import annotations

from django.urls import reverse

from outreach.models import Account

from . import dashboard
from .lines import direct_conversations
from .models import Conversation, Line

CONTACT_CONVERSATIONS = 10


def home(account: Account, obj=None) -> dict:
    return dashboard.context(account)


def contact(account: Account, contact) -> dict:
    """The contact page's links to the contact's conversations in the inbox."""
    conversations = Conversation.objects.filter(account=account, contact_id=contact.pk)[:CONTACT_CONVERSATIONS]
    return {"conversations": [(c, reverse("messaging:thread", args=[c.pk])) for c in conversations]}


def contact_lines(account: Account, contacts) -> dict:
    """contact id -> the number of the line its conversation is on (the Sendblue API's
    ``sendblue_number``), for a page of contacts in two queries."""
    conversations = direct_conversations(account.pk, [c.e164_number for c in contacts])
    numbers = dict(Line.objects.filter(pk__in={line for _, line, _ in conversations.values()})
                   .values_list("pk", "number"))
    return {c.pk: numbers[conversations[c.e164_number][1]] for c in contacts if c.e164_number in conversations}
