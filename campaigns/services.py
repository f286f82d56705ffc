"""The verbs of campaigns: create, edit, start, pause, resume, stop; appointments and calls.

Every function takes the account first and scopes every id it is given to that account.
The fan-out itself is in ``fanout.py``, engagement in ``engagement.py``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

import webhooks
from contacts.models import Contact, ContactList
from messaging.choices import Status
from messaging.models import Line, Message
from outreach.exceptions import Conflict, InvalidInput, NotFound
from outreach.models import Account
from webhooks.choices import EventType

from .choices import EDITABLE, CallOutcome, CampaignStatus
from .cleaning import FIELDS, clean_fields, custom_variable_names  # noqa: F401 (re-exported)
from .models import Appointment, CallLog, Campaign
from .schedule import HELD_UNTIL

S = CampaignStatus
def audience(campaign: Campaign, after=None, until=None):
    """The campaign's contacts: in any of its lists or with any of its tags, not opted out
    (with ``after``/``until``, those with an id in ``(after, until]`` only: a fan-out
    slice's cursor and end)."""
    lists = list(campaign.lists.values_list("pk", flat=True))
    return audience_of(campaign.account, lists, campaign.tags, after, until)


def audience_of(account: Account, list_ids, tags, after=None, until=None):
    wanted = Q(pk__in=[])
    if list_ids:
        lists = list(ContactList.objects.filter(account=account, pk__in=list_ids).values_list("pk", flat=True))
        # EXISTS per contact, the cursor repeated inside: the fan-out walks contacts in id
        # order and stops after a chunk, so neither side is scanned from the start again.
        member = Contact.lists.through.objects.filter(contact_id=OuterRef("pk"), contactlist_id__in=lists)
        if after is not None:
            member = member.filter(contact_id__gt=after)
        if until is not None:
            member = member.filter(contact_id__lte=until)
        wanted |= Q(Exists(member))
    for tag in tags or ():
        wanted |= tag_filter(tag, account)
    qs = Contact.objects.filter(account=account, opted_out_at__isnull=True).filter(wanted)
    if after is not None:
        qs = qs.filter(pk__gt=after)
    return qs.filter(pk__lte=until) if until is not None else qs


def tag_filter(tag: str, account: Account | None = None) -> Q:
    if connection.vendor == "postgresql":
        return Q(tags__contains=[tag])  # jsonb @>, served by the contacts' GIN index if any
    # SQLite (embedded mode, small books) has no JSON containment: match in Python.
    ids = [pk for pk, tags in Contact.objects.filter(account=account).values_list("pk", "tags") if tag in (tags or [])]
    return Q(pk__in=ids)


# --- create and edit --------------------------------------------------------------------

def _set_relations(account: Account, campaign: Campaign, list_ids, line_ids) -> None:
    if list_ids is not None:
        lists = list(ContactList.objects.filter(account=account, pk__in=list_ids))
        unknown = {str(i) for i in list_ids} - {str(x.pk) for x in lists}
        if unknown:
            raise InvalidInput(f"Unknown list id(s): {', '.join(sorted(unknown))}.", field="list_ids")
        campaign.lists.set(lists)
    if line_ids is not None:
        lines = list(Line.objects.filter(account=account, pk__in=line_ids))
        unknown = {str(i) for i in line_ids} - {str(x.pk) for x in lines}
        if unknown:
            raise InvalidInput(f"Unknown line id(s): {', '.join(sorted(unknown))}.", field="line_ids")
        campaign.lines.set(lines)


@transaction.atomic
def create_campaign(account: Account, data: dict, *, list_ids=None, line_ids=None) -> Campaign:
    fields = clean_fields(account, data)
    if "name" not in fields:
        raise InvalidInput("A campaign needs a name.", field="name")
    campaign = Campaign.objects.create(account=account, **fields)
    _set_relations(account, campaign, list_ids, line_ids)
    _check_window(campaign)
    return campaign


@transaction.atomic
def update_campaign(account: Account, campaign_id, data: dict, *, list_ids=None, line_ids=None) -> Campaign:
    campaign = locked(account, campaign_id)
    if campaign.status not in EDITABLE:
        raise Conflict(f"A {campaign.status} campaign cannot be edited; only draft, scheduled or paused ones can.")
    fields = clean_fields(account, data, campaign)
    if campaign.status != S.DRAFT and (list_ids is not None or "tags" in fields):
        raise Conflict("The audience is fixed once a campaign has started; create a new campaign for other contacts.")
    for name, value in fields.items():
        setattr(campaign, name, value)
    _check_window(campaign)
    campaign.save()
    _set_relations(account, campaign, list_ids, line_ids)
    return campaign


@transaction.atomic
def clone(account: Account, campaign_id, *, name: str | None = None) -> Campaign:
    """A new DRAFT with the campaign's message, audience (lists and tags) and settings
    (lines, priority, window, pace; its start and expiry times only if still ahead), named
    ``name`` or "Copy of <name>". Any campaign can be cloned, whatever its state."""
    source = get(account, campaign_id)
    if name is not None:
        name = name.strip()
        if not name:
            raise InvalidInput("A campaign needs a name.", field="name")
    copy = Campaign.objects.create(
        account=account, name=name or f"Copy of {source.name}"[:200], body=source.body,
        variants=list(source.variants),
        media_url=source.media_url, send_style=source.send_style, tags=list(source.tags),
        priority=source.priority, window_start=source.window_start, window_end=source.window_end,
        pace_per_minute=source.pace_per_minute, winner_test_percent=source.winner_test_percent,
        winner_wait_minutes=source.winner_wait_minutes, winner_metric=source.winner_metric,
        start_at=_ahead(source.start_at), expires_at=_ahead(source.expires_at),
    )
    copy.lists.set(source.lists.filter(account=account))
    copy.lines.set(source.lines.filter(account=account))
    return copy


def _ahead(when):
    """``when`` if it is still to come, else None (a clone does not inherit a passed time)."""
    return when if when and when > timezone.now() else None


def _check_window(campaign: Campaign) -> None:
    if campaign.window_start == campaign.window_end and campaign.window_start != dt.time(0):
        raise InvalidInput(
            "window_start and window_end are equal; use 00:00-00:00 for no quiet hours.", field="window_end"
        )


def get(account: Account, campaign_id) -> Campaign:
    try:
        return Campaign.objects.get(account=account, pk=campaign_id)
    except (Campaign.DoesNotExist, ValueError, TypeError, InvalidInput):
        raise NotFound("Campaign not found.") from None


def locked(account: Account, campaign_id) -> Campaign:
    get(account, campaign_id)
    return Campaign.objects.select_for_update().get(account=account, pk=campaign_id)


# --- state changes ----------------------------------------------------------------------

WHY_NOT_START = {
    S.SCHEDULED: "The campaign is already scheduled; it starts at its start_at.",
    S.ACTIVE: "The campaign is already active.",
    S.PAUSED: "The campaign is paused; resume it instead of starting it.",
    S.COMPLETED: "The campaign has completed; create a new campaign to send again.",
    S.STOPPED: "The campaign was stopped and cannot be restarted; create a new campaign.",
}


@transaction.atomic
def start(account: Account, campaign_id) -> Campaign:
    """DRAFT -> ACTIVE (or SCHEDULED when ``start_at`` is ahead); the fan-out runs in Celery."""
    from . import fanout

    campaign = locked(account, campaign_id)
    if campaign.status != S.DRAFT:
        raise Conflict(WHY_NOT_START[campaign.status])
    if not campaign.lists.exists() and not campaign.tags:
        raise Conflict("The campaign has no audience: add a list or a tag before starting it.")
    size = audience(campaign).count()
    if size == 0:
        raise Conflict("The campaign's lists and tags match no contact who can be messaged (none, or all opted out).")
    if not fanout.pool(campaign):
        raise Conflict("None of the campaign's lines is active; add or activate a line before starting it.")
    now = timezone.now()
    campaign.audience_count = size
    campaign.started_at = now
    campaign.status = S.SCHEDULED if campaign.start_at and campaign.start_at > now else S.ACTIVE
    campaign.save()
    fanout.schedule_fanout(campaign.pk)
    fanout.start_clock(campaign)
    return campaign


@transaction.atomic
def pause(account: Account, campaign_id) -> Campaign:
    """Hold every message not yet claimed; the fan-out stops at its next chunk."""
    campaign = locked(account, campaign_id)
    if campaign.status not in (S.ACTIVE, S.SCHEDULED):
        raise Conflict(f"Only an active or scheduled campaign can be paused; this one is {campaign.status}.")
    hold(campaign)
    campaign.status = S.PAUSED
    campaign.save()
    return campaign


@transaction.atomic
def resume(account: Account, campaign_id) -> Campaign:
    from . import fanout

    campaign = locked(account, campaign_id)
    if campaign.status != S.PAUSED:
        raise Conflict(f"Only a paused campaign can be resumed; this one is {campaign.status}.")
    campaign.status = S.SCHEDULED if campaign.start_at and campaign.start_at > timezone.now() else S.ACTIVE
    campaign.save()
    fanout.release(campaign)
    fanout.schedule_fanout(campaign.pk)
    fanout.start_clock(campaign)
    return campaign


@transaction.atomic
def stop(account: Account, campaign_id) -> Campaign:
    """Halt: no message that a worker has not claimed yet will leave. They are held at once
    (one UPDATE) and withdrawn (DECLINED, WITHDRAWN) by a task, chunk by chunk."""
    from . import fanout

    campaign = locked(account, campaign_id)
    if campaign.status not in (S.ACTIVE, S.SCHEDULED, S.PAUSED):
        raise Conflict(f"Only an active, scheduled or paused campaign can be stopped; this one is {campaign.status}.")
    hold(campaign)
    campaign.status = S.STOPPED
    campaign.stopped_at = timezone.now()
    campaign.save()
    fanout.schedule_withdraw(campaign.pk)
    return campaign


def hold(campaign: Campaign) -> int:
    """Make the campaign's unclaimed messages never due. A message a worker is claiming
    right now is row-locked; the UPDATE waits for it and then skips it (no longer QUEUED)."""
    return Message.objects.filter(
        campaign_recipient__campaign=campaign, status=Status.QUEUED
    ).update(next_attempt_at=HELD_UNTIL)


# --- outcomes beyond messages -----------------------------------------------------------

def _contact(account: Account, contact_id) -> Contact:
    try:
        return Contact.objects.get(account=account, pk=contact_id)
    except (Contact.DoesNotExist, ValueError, TypeError, InvalidInput):
        raise InvalidInput("Unknown contact_id: no contact of your account has it.", field="contact_id") from None


def _campaign_or_none(account: Account, campaign_id) -> Campaign | None:
    if not campaign_id:
        return None
    try:
        return Campaign.objects.get(account=account, pk=campaign_id)
    except (Campaign.DoesNotExist, ValueError, TypeError, InvalidInput):
        raise InvalidInput("Unknown campaign_id: no campaign of your account has it.", field="campaign_id") from None


def contact_summary(contact: Contact) -> dict:
    return {
        "id": str(contact.pk), "first_name": contact.first_name, "last_name": contact.last_name,
        "name": contact.full_name, "phone": contact.e164_number,
    }


@transaction.atomic
def record_appointment(account: Account, *, contact_id, scheduled_for: dt.datetime, campaign_id=None,
                       notes: str = "") -> Appointment:
    contact = _contact(account, contact_id)
    campaign = _campaign_or_none(account, campaign_id)
    appointment = Appointment.objects.create(
        account=account, contact=contact, campaign=campaign, scheduled_for=scheduled_for, notes=notes
    )
    webhooks.emit(account, EventType.APPOINTMENT_SCHEDULED, {
        "id": str(appointment.pk), "contact": contact_summary(contact),
        "contact_name": contact.full_name, "phone": contact.e164_number,
        "time": scheduled_for.isoformat().replace("+00:00", "Z"),
        "campaign_id": str(campaign.pk) if campaign else None, "notes": notes,
    })
    return appointment


@transaction.atomic
def record_call(account: Account, *, contact_id, outcome: str, campaign_id=None,
                duration_seconds: int | None = None, notes: str = "") -> CallLog:
    if outcome not in CallOutcome.values:
        raise InvalidInput(f"outcome must be one of {', '.join(CallOutcome.values)}.", field="outcome")
    contact = _contact(account, contact_id)
    campaign = _campaign_or_none(account, campaign_id)
    call = CallLog.objects.create(
        account=account, contact=contact, campaign=campaign, outcome=outcome,
        duration_seconds=duration_seconds, notes=notes,
    )
    webhooks.emit(account, EventType.CALL_COMPLETED, {
        "id": str(call.pk), "contact": contact_summary(contact),
        "contact_name": contact.full_name, "phone": contact.e164_number, "outcome": outcome,
        "duration_seconds": duration_seconds, "campaign_id": str(campaign.pk) if campaign else None,
        "notes": notes,
    })
    return call


def lists_of(account: Account, ids: Iterable) -> list[ContactList]:
    return list(ContactList.objects.filter(account=account, pk__in=list(ids)))
