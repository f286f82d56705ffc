"""Campaign operations beside its state machine: a test send before starting, and queueing
the failed messages again. Both go through messaging's own send services, so a test send or
a resend is a message like any other (limits, opt-outs, webhooks, the log)."""
from __future__ import annotations

import uuid

from django.db import transaction

from contacts.models import Contact
from messaging import validation
from messaging.choices import EventSource, Provider
from messaging.models import Message
from messaging.services import send
from outreach.exceptions import Conflict, InvalidInput, OutreachError
from outreach.models import Account, Membership

from . import templating
from .services import get

#: What a template may read of a contact (``templating.FIELD_COLUMNS`` and custom variables).
CONTACT_COLUMNS = ("pk", "e164_number", "first_name", "last_name", "email", "company_name", "custom_variables")


def member_phones(account: Account) -> set[str]:
    """The numbers the account's active people gave as their own (Settings)."""
    return set(
        Membership.objects.filter(account=account, deactivated_at__isnull=True).exclude(phone="")
        .values_list("phone", flat=True)
    )


@transaction.atomic
def test_send(account: Account, campaign_id, *, contact_id, to: str, source: str = EventSource.API) -> Message:
    """Send the campaign's message, rendered for ``contact_id``, to ``to``: a number one of
    the account's people gave as their own, or any number when the campaign's lines include
    a sandbox line (the test then goes through it, and reaches no phone). The campaign is
    not changed and may be in any state. Every bad field is refused at once (422)."""
    from .fanout import pool

    campaign = get(account, campaign_id)
    errors: dict[str, str] = {}
    try:
        contact = Contact.objects.filter(account=account, pk=uuid.UUID(str(contact_id))).values(*CONTACT_COLUMNS).first()
    except ValueError:
        contact = None
    if contact is None:
        errors["contact_id"] = "contact_id: give one of your contacts; the message is rendered for them."
    address = ""
    try:
        address = validation.normalize_address(to or "", field="to")
    except OutreachError as exc:
        errors["to"] = exc.message
    lines = pool(campaign)
    sandbox = [line for line in lines if line.provider == Provider.SANDBOX]
    if address and not sandbox and address not in member_phones(account):
        errors["to"] = ("to: a test goes to a number one of your people gave as their own (Settings), "
                        "or through a sandbox line; this number is neither.")
    if errors:
        raise InvalidInput.of_fields(errors)
    if not lines:
        raise Conflict("None of the campaign's lines is active; add or activate a line to test it.")
    text = templating.render_for(campaign.body, contact)
    line = sandbox[0] if sandbox and address not in member_phones(account) else lines[0]
    return send(account, to=address, from_number=line.number, content=text, media_url=campaign.media_url,
                send_style=campaign.send_style, source=source)
