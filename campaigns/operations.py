"""Campaign operations beside its state machine: a test send before starting, and queueing
the failed messages again. Both go through messaging's own send services, so a test send or
a resend is a message like any other (limits, opt-outs, webhooks, the log)."""
from __future__ import annotations

import uuid

from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from contacts.models import Contact
from messaging import validation
from messaging.choices import EventSource, Provider, Status
from messaging.models import Message
from messaging.services import retry_dead_letter, send, wake_dispatcher
from outreach.exceptions import Conflict, InvalidInput, OutreachError
from outreach.models import Account, Membership

from . import schedule, templating, winner
from .choices import CampaignStatus, Outcome
from .models import CampaignRecipient, CampaignResend, ResendAttempt
from .services import get, locked

S = CampaignStatus
#: Recipients one task transaction queues again.
RESEND_CHUNK = 200

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
    """Send the campaign's message (the A/B variant that contact gets), rendered for
    ``contact_id``, to ``to``: a number one of
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
    chosen = winner.picker(campaign)(contact["pk"])  # after an A/B test's decision: the winner
    text = templating.render_for(campaign.variants[chosen]["body"] if chosen is not None else campaign.body, contact)
    line = sandbox[0] if sandbox and address not in member_phones(account) else lines[0]
    return send(account, to=address, from_number=line.number, content=text, media_url=campaign.media_url,
                send_style=campaign.send_style, source=source)


# --- resend to the failed ------------------------------------------------------------------

def pending_attempts(campaign_id):
    return ResendAttempt.objects.filter(resend__campaign_id=campaign_id, requeued_at__isnull=True)


@transaction.atomic
def resend_failed(account: Account, campaign_id, *, requested_by: str = "") -> CampaignResend:
    """Queue again exactly the recipients whose message ended ERROR (a dead letter not
    discarded): not declined, opted-out or withdrawn ones, nor a contact who has opted out
    since (a resend never texts someone who said stop), nor those a resend is already
    queueing. One ``ResendAttempt`` per recipient records the error it had; a task requeues
    them (``requeue_chunk``). A completed campaign is active again until they settle."""
    campaign = locked(account, campaign_id)
    if campaign.status not in (S.ACTIVE, S.COMPLETED):
        raise Conflict(f"Only an active or completed campaign can resend its failed messages; this one is {campaign.status}.")
    failed = list(
        CampaignRecipient.objects.filter(campaign=campaign, message__status=Status.ERROR,
                                         message__discarded_at__isnull=True, contact__opted_out_at__isnull=True)
        .exclude(outcome=Outcome.OPTED_OUT)
        .exclude(Exists(ResendAttempt.objects.filter(recipient=OuterRef("pk"), requeued_at__isnull=True)))
        .values_list("pk", "message__error_code", "message__error_message")
    )
    if not failed:
        raise Conflict("No recipient's message ended in error, so there is nothing to resend "
                       "(declined, opted-out and withdrawn messages are never resent).")
    resend = CampaignResend.objects.create(campaign=campaign, requested_by=requested_by[:200], recipients=len(failed))
    ResendAttempt.objects.bulk_create([
        ResendAttempt(resend=resend, recipient_id=pk, error_code=code, error_message=text or "")
        for pk, code, text in failed
    ])
    if campaign.status == S.COMPLETED:
        campaign.status, campaign.completed_at = S.ACTIVE, None
        campaign.save(update_fields=["status", "completed_at", "updated_at"])
    schedule_resend(resend.pk)
    return resend


def schedule_resend(resend_id) -> None:
    from . import tasks

    transaction.on_commit(lambda: tasks.resend_campaign.delay(resend_id))


def requeue_chunk(resend_id, size: int = RESEND_CHUNK) -> bool:
    """Queue up to ``size`` attempts of a resend again through messaging's dead-letter retry
    (the message back to QUEUED, its attempts from zero, a MessageEvent), due when the
    campaign's window is open for the contact; their engagement is open again. True if more
    remain."""
    from . import engagement

    now = timezone.now()
    with transaction.atomic():
        attempts = list(
            ResendAttempt.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("resend__campaign__account", "recipient__contact", "recipient__message")
            .filter(resend_id=resend_id, requeued_at__isnull=True).order_by("pk")[:size]
        )
        if not attempts:
            return _finish_resend(resend_id)
        campaign = attempts[0].resend.campaign
        account, window = campaign.account, (campaign.window_start, campaign.window_end)
        due: list[Message] = []
        for attempt in attempts:
            message = attempt.recipient.message
            attempt.requeued_at = now
            try:
                retry_dead_letter(account, message, source=EventSource.CAMPAIGN)
            except OutreachError as exc:  # no longer a dead letter (retried from the dead letters page...)
                attempt.note = exc.message[:300]
                continue
            zone = schedule.contact_zone(attempt.recipient.contact.timezone, account.default_timezone)
            when = schedule.in_window(now, zone, *window)
            if when != now:
                due.append(Message(pk=message.pk, next_attempt_at=when))
        Message.objects.bulk_update(due, ["next_attempt_at"])
        ResendAttempt.objects.bulk_update(attempts, ["requeued_at", "note"])
        requeued = [a for a in attempts if not a.note]
        CampaignRecipient.objects.filter(pk__in=[a.recipient_id for a in requeued]).update(completed_at=None)
        CampaignResend.objects.filter(pk=resend_id).update(requeued=models.F("requeued") + len(requeued))
        wake_dispatcher()
        engagement.nudge(campaign.pk)
    return len(attempts) == size or _finish_resend(resend_id)


def _finish_resend(resend_id) -> bool:
    if not ResendAttempt.objects.filter(resend_id=resend_id, requeued_at__isnull=True).exists():
        CampaignResend.objects.filter(pk=resend_id, done_at__isnull=True).update(done_at=timezone.now())
        return False
    return True
