"""CSV exports built in the background: a campaign's results, the message log, the contacts.

``create`` counts the rows and queues ``tasks.run_export``; the task writes chunks of
``CHUNK`` rows in id order, each chunk one transaction that appends an ``ExportPart`` and
moves the export's cursor and ``processed`` (its progress), so a killed worker resumes
after the last committed chunk (the sweep restarts a stalled one). Every cell goes through
``outreach.csvfiles`` (formula injection neutralised). A download streams the parts in order.
"""
from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator

from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone

from contacts.models import Contact
from messaging.api.serializers import V1_STATUS
from messaging.models import Message
from outreach import csvfiles
from outreach.exceptions import Conflict, InvalidInput, NotFound
from outreach.models import Account

from . import variants
from .choices import ExportKind, ExportStatus, Outcome
from .models import Campaign, CampaignRecipient, Export, ExportPart, TrackedLink

K = ExportKind
#: Rows per chunk (one transaction, one part).
CHUNK = 2000


def _time(value) -> str:
    return value.isoformat().replace("+00:00", "Z") if value else ""


# --- what each kind writes -----------------------------------------------------------------

def _results(export: Export) -> QuerySet:
    clicks = (TrackedLink.objects.filter(campaign_id=OuterRef("campaign_id"), contact_id=OuterRef("contact_id"))
              .values("contact_id").annotate(n=Sum("clicks")).values("n"))
    return (CampaignRecipient.objects.filter(campaign_id=export.campaign_id)
            .select_related("contact", "message")
            .annotate(resend_count=Count("resend_attempts"), clicks=Subquery(clicks)))


RESULT_HEADER = ["contact_id", "first_name", "last_name", "phone", "variant", "outcome", "message_status", "message_id",
                 "content", "sent_at", "delivered_at", "read_at", "replied_at", "clicks", "opted_out", "error", "resends"]


def _result_row(r: CampaignRecipient) -> list:
    m = r.message
    return [
        str(r.contact_id), r.contact.first_name, r.contact.last_name, r.contact.e164_number, variants.label(r.variant),
        r.outcome,
        V1_STATUS[m.status] if m else "", str(m.handle) if m else "", m.content if m else "",
        _time(m and m.sent_at), _time(m and m.delivered_at), _time(m and m.read_at), _time(r.replied_at),
        r.clicks or 0, "yes" if r.outcome == Outcome.OPTED_OUT else "no", (m.error_message if m else "") or "", r.resend_count,
    ]


def _messages(export: Export) -> QuerySet:
    return Message.objects.filter(account_id=export.account_id)


MESSAGE_HEADER = ["message_id", "created_at", "direction", "number", "from_number", "to_number", "status", "service",
                  "content", "media_url", "error_code", "error_message", "sent_at", "delivered_at", "read_at"]


def _message_row(m: Message) -> list:
    return [
        str(m.handle), _time(m.created_at), "outbound" if m.is_outbound else "inbound", m.number, m.from_number,
        m.to_number, V1_STATUS.get(m.status, m.status.lower()), m.service, m.content, m.media_url,
        m.error_code if m.error_code is not None else "", m.error_message, _time(m.sent_at), _time(m.delivered_at),
        _time(m.read_at),
    ]


def _contacts(export: Export) -> QuerySet:
    return Contact.objects.filter(account_id=export.account_id).prefetch_related("lists")


CONTACT_HEADER = ["contact_id", "phone", "first_name", "last_name", "email", "company_name", "timezone", "tags",
                  "lists", "custom_variables", "opted_out_at", "created_at"]


def _contact_row(c: Contact) -> list:
    return [
        str(c.pk), c.e164_number, c.first_name, c.last_name, c.email, c.company_name, c.timezone,
        ", ".join(c.tags or []), ", ".join(lst.name for lst in c.lists.all()),
        "; ".join(f"{k}={v}" for k, v in (c.custom_variables or {}).items()), _time(c.opted_out_at),
        _time(c.created_at),
    ]


KINDS: dict[str, tuple[Callable[[Export], QuerySet], list[str], Callable[[object], list]]] = {
    K.CAMPAIGN_RESULTS: (_results, RESULT_HEADER, _result_row),
    K.MESSAGES: (_messages, MESSAGE_HEADER, _message_row),
    K.CONTACTS: (_contacts, CONTACT_HEADER, _contact_row),
}


# --- the verbs ---------------------------------------------------------------------------------

@transaction.atomic
def create(account: Account, kind: str, *, campaign_id=None, requested_by: str = "") -> Export:
    """Queue an export; ``kind`` one of ``ExportKind``, ``campaign_id`` (one of the
    account's campaigns) for campaign results. Every bad field is named at once (422)."""
    errors: dict[str, str] = {}
    if kind not in K.values:
        errors["kind"] = f"kind must be one of {', '.join(K.values)}."
    campaign = None
    if kind == K.CAMPAIGN_RESULTS:
        campaign = _campaign(account, campaign_id)
        if campaign is None:
            errors["campaign_id"] = ("campaign_id: give one of your campaigns." if campaign_id
                                     else "campaign_id is required for campaign results.")
    elif campaign_id and kind in K.values:
        errors["campaign_id"] = f"campaign_id is only for campaign results, not {kind}."
    if errors:
        raise InvalidInput.of_fields(errors)
    export = Export.objects.create(account=account, kind=kind, campaign=campaign, requested_by=requested_by[:200])
    export.total = KINDS[kind][0](export).count()
    export.save(update_fields=["total"])
    schedule(export.pk)
    return export


def _campaign(account: Account, campaign_id) -> Campaign | None:
    try:
        return Campaign.objects.filter(account=account, pk=uuid.UUID(str(campaign_id))).first() if campaign_id else None
    except ValueError:
        return None


def schedule(export_id) -> None:
    from . import tasks

    transaction.on_commit(lambda: tasks.run_export.delay(str(export_id)))


def get(account: Account, export_id) -> Export:
    try:
        return Export.objects.get(account=account, pk=uuid.UUID(str(export_id)))
    except (Export.DoesNotExist, ValueError):
        raise NotFound("Export not found.") from None


def run_chunk(export_id) -> bool:
    """Write the next chunk of rows; True if more remain."""
    with transaction.atomic():
        export = Export.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status == ExportStatus.DONE:
            return False
        rows_of, header, row = KINDS[export.kind]
        qs = rows_of(export).order_by("pk")
        if export.cursor:
            qs = qs.filter(pk__gt=export.cursor)
        batch = list(qs[:CHUNK])
        out = io.StringIO()
        writer = csvfiles.writer(out)
        if export.parts == 0:
            writer.writerow(header)
        writer.writerows(row(item) for item in batch)
        if out.getvalue():
            ExportPart.objects.create(export=export, index=export.parts, text=out.getvalue())
            export.parts += 1
        export.processed += len(batch)
        export.total = max(export.total, export.processed)
        if batch:
            export.cursor = str(batch[-1].pk)
        more = len(batch) == CHUNK
        export.status = ExportStatus.RUNNING if more else ExportStatus.DONE
        export.done_at = None if more else timezone.now()
        export.save(update_fields=["parts", "processed", "total", "cursor", "status", "done_at", "updated_at"])
        return more


def stream(export: Export) -> Iterator[str]:
    """The finished file, part by part."""
    if export.status != ExportStatus.DONE:
        raise Conflict(f"The export is not ready yet ({export.percent}% built); download it once it is done.")
    return (text for text in ExportPart.objects.filter(export=export).order_by("index")
            .values_list("text", flat=True).iterator(chunk_size=20))


def filename(export: Export) -> str:
    name = f"campaign-{export.campaign.name}" if export.campaign_id else export.kind
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name)[:60].strip("-") or export.kind
    return f"{safe}-{export.created_at:%Y%m%d-%H%M}.csv"
