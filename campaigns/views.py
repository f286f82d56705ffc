"""The console: campaigns (list, form with a live preview, page with live progress, funnel
and recipients) and bulk jobs. Every query is filtered by ``request.account``."""
from __future__ import annotations

import datetime as dt
import hashlib

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from messaging.choices import EventSource
from outreach.audit import record
from outreach.choices import AuditAction
from outreach.console import member_required
from outreach.exceptions import OutreachError

from . import bulkjobs, operations, services, stats, templating, waiting, winner
from .choices import EDITABLE, CampaignStatus
from .forms import VARIANT_FIELDS, AppointmentForm, CallForm, CampaignForm, TestSendForm
from .models import BulkJob, Campaign, CampaignRecipient

S = CampaignStatus
ACTIONS = {"start": services.start, "pause": services.pause, "resume": services.resume, "stop": services.stop}
AUDITED = {"start": AuditAction.CAMPAIGN_STARTED, "pause": AuditAction.CAMPAIGN_PAUSED,
           "resume": AuditAction.CAMPAIGN_RESUMED, "stop": AuditAction.CAMPAIGN_STOPPED}
#: Which buttons a campaign in each state shows.
BUTTONS = {
    S.DRAFT: ["start"], S.SCHEDULED: ["pause", "stop"], S.ACTIVE: ["pause", "stop"],
    S.PAUSED: ["resume", "stop"], S.COMPLETED: [], S.STOPPED: [],
}
FUNNEL = ("materialised", "sent", "delivered", "read", "clicked", "replied", "opted_out")


@member_required
def campaign_list(request):
    campaigns = Campaign.objects.filter(account=request.account)
    page = Paginator(campaigns, 25).get_page(request.GET.get("page"))
    progress = stats.progress_many(page.object_list)
    rows = []
    for campaign in page.object_list:
        numbers = progress[campaign.pk]
        rows.append((campaign, numbers, stats.percent_done(campaign, numbers)))
    return render(request, "campaigns/list.html", {"page": page, "rows": rows})


def _form_page(request, campaign: Campaign | None):
    form = CampaignForm(request.account, request.POST or None, initial=_initial(campaign))
    if request.method == "POST" and form.is_valid():
        data, list_ids, line_ids = form.service_data()
        action = AuditAction.CAMPAIGN_CREATED if campaign is None else AuditAction.CAMPAIGN_CHANGED
        try:
            if campaign is None:
                campaign = services.create_campaign(request.account, data, list_ids=list_ids, line_ids=line_ids)
            else:
                if campaign.status != S.DRAFT:
                    list_ids = None  # the audience is fixed once started
                    data.pop("tags")
                campaign = services.update_campaign(request.account, campaign.pk, data,
                                                    list_ids=list_ids, line_ids=line_ids)
        except OutreachError as exc:
            for field, texts in exc.field_errors.items() or [(None, [exc.message])]:
                form.put_error(field, " ".join(texts))
        else:
            record(request.account, request.user, action, campaign, detail={"status": campaign.status})
            messages.success(request, f"Saved {campaign.name}.")
            return redirect("campaigns:detail", pk=campaign.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "campaigns/form.html", {
        "form": form, "campaign": campaign, "preview": _preview(request, form),
    }, status=status)


def _initial(campaign: Campaign | None) -> dict:
    if campaign is None:
        return {}
    return {
        "name": campaign.name, "body": campaign.body, "media_url": campaign.media_url,
        "send_style": campaign.send_style, "lists": list(campaign.lists.all()), "tags": ", ".join(campaign.tags),
        "lines": list(campaign.lines.all()), "priority": campaign.priority, "start_at": campaign.start_at,
        "expires_at": campaign.expires_at,
        "window_start": campaign.window_start, "window_end": campaign.window_end,
        "pace_per_minute": campaign.pace_per_minute, "winner_test_percent": campaign.winner_test_percent,
        "winner_wait_minutes": campaign.winner_wait_minutes, "winner_metric": campaign.winner_metric,
        **{name: v["body"] for name, v in zip(VARIANT_FIELDS, campaign.variants[1:], strict=False)},
        "split": ", ".join(str(v["percent"]) for v in campaign.variants),
    }


@member_required
def campaign_new(request):
    return _form_page(request, None)


@member_required
def campaign_edit(request, pk):
    campaign = get_object_or_404(Campaign, account=request.account, pk=pk)
    if campaign.status not in EDITABLE:
        messages.error(request, f"A {campaign.get_status_display().lower()} campaign cannot be edited.")
        return redirect("campaigns:detail", pk=pk)
    return _form_page(request, campaign)


def _preview(request, form: CampaignForm) -> dict:
    """The template rendered for a sample contact of the audience, and the audience size."""
    data = request.POST if request.method == "POST" else None
    if data is None:
        initial = form.initial
        body = initial.get("body", "")
        list_ids = [x.pk for x in initial.get("lists", [])]
        tags = [t.strip() for t in initial.get("tags", "").split(",") if t.strip()]
    else:
        body = data.get("body", "")
        list_ids = [x for x in data.getlist("lists") if x]
        tags = [t.strip() for t in data.get("tags", "").split(",") if t.strip()]
    try:
        audience = services.audience_of(request.account, list_ids, tags) if (list_ids or tags) else None
        size = audience.count() if audience is not None else 0
    except (ValueError, OutreachError):
        audience, size = None, 0
    sample = audience.order_by("created_at", "pk").values(*PREVIEW_COLUMNS).first() if audience is not None else None
    try:
        templating.check(body, known=services.custom_variable_names(request.account))
        text, error = templating.render_for(body, sample or templating.SAMPLE), ""
    except OutreachError as exc:
        text, error = "", exc.message
    return {"size": size, "text": text, "error": error,
            "sample": (f"{sample['first_name']} {sample['last_name']}".strip() or sample["e164_number"])
            if sample else "a sample contact"}


#: Every column a template may name (``templating.FIELD_COLUMNS`` and the custom variables).
PREVIEW_COLUMNS = ("pk", "e164_number", "first_name", "last_name", "email", "company_name", "custom_variables")


@member_required
@require_POST
def campaign_preview(request):
    form = CampaignForm(request.account)
    return render(request, "campaigns/_preview.html", {"preview": _preview(request, form)})


def _live_context(request, campaign: Campaign) -> dict:
    """Buttons, progress, funnel and recipients: the part of the page that updates itself."""
    numbers = stats.progress(campaign)
    top = max(numbers["materialised"], campaign.audience_count, 1)
    funnel = [(key, numbers[key], int(100 * numbers[key] / top)) for key in FUNNEL]
    recipients = CampaignRecipient.objects.filter(campaign=campaign).select_related("contact", "message")
    live = poll_every(campaign, numbers)
    page = Paginator(recipients, 25).get_page(request.GET.get("page"))
    next_send = waiting.next_send(campaign)
    can_resend = campaign.status in (S.ACTIVE, S.COMPLETED) and numbers["failed"] > 0
    return {"campaign": campaign, "numbers": numbers, "percent": stats.percent_done(campaign, numbers),
            "funnel": funnel, "buttons": BUTTONS[campaign.status], "live": live, "page": page,
            "can_resend": can_resend,
            "next_send": next_send, "next_send_v": _next_send_version(next_send),
            "live_version": _live_version(campaign, numbers, page, next_send), "call_form": CallForm()}


#: How long a finished (completed or stopped) campaign's page keeps updating: deliveries,
#: read receipts and replies still arrive after the last send; a week covers nearly all.
SETTLING = dt.timedelta(days=7)


def poll_every(campaign: Campaign, numbers: dict) -> str:
    """How often the page's live part polls ("" for never): every 2 s while it sends, every
    10 s for ``SETTLING`` after it completed or was stopped, then never."""
    if campaign.status in (S.ACTIVE, S.SCHEDULED) or (campaign.status == S.STOPPED and numbers["queued"] > 0):
        return "2s"
    ended = campaign.completed_at or campaign.stopped_at
    if campaign.status in (S.COMPLETED, S.STOPPED) and ended and timezone.now() - ended < SETTLING:
        return "10s"
    return ""


def _next_send_version(next_send: waiting.NextSend) -> str:
    # While sending, ``at`` is "now" and moves every poll: the state is what is shown.
    at = next_send.at.isoformat() if next_send.at and next_send.waiting else ("now" if next_send.at else "")
    return f"{next_send.reason}:{at}"


def _live_version(campaign: Campaign, numbers: dict, page, next_send: waiting.NextSend) -> str:
    """A fingerprint of what the live part shows: the poll answers 204 while it is unchanged."""
    h = hashlib.blake2b(digest_size=8)
    h.update(f"{campaign.status}:{sorted(numbers.items())}:{page.number}:{page.paginator.num_pages}|".encode())
    h.update(_next_send_version(next_send).encode())
    for r in page.object_list:
        h.update(f"{r.pk}:{r.outcome}:{r.message_id}|".encode())
    return h.hexdigest()


#: Contacts the test-send form offers (the audience's first, in the preview's order).
TEST_CONTACTS = 50


def _test_form(request, campaign: Campaign, data=None) -> TestSendForm:
    contacts = services.audience(campaign).order_by("created_at", "pk").values(*operations.CONTACT_COLUMNS)
    initial = {"to": getattr(request.membership, "phone", "")}
    return TestSendForm(list(contacts[:TEST_CONTACTS]), data, initial=initial)


def _detail_page(request, campaign: Campaign, *, test_form=None, status: int = 200):
    return render(request, "campaigns/detail.html", {
        **_live_context(request, campaign),
        "appointments": campaign.appointments.select_related("contact")[:20],
        "calls": campaign.call_logs.select_related("contact")[:20],
        "test_form": test_form or _test_form(request, campaign),
        "variant_stats": stats.variant_stats(campaign),
        "winner": winner.summary(campaign),
        "resends": campaign.resends.all()[:10],
    }, status=status)


@member_required
def campaign_detail(request, pk):
    campaign = get_object_or_404(Campaign, account=request.account, pk=pk)
    return _detail_page(request, campaign)


@member_required
@require_POST
def campaign_test_send(request, pk):
    """Send the message, rendered for a contact of the audience, to the person's own number
    (or through a sandbox line); the campaign itself does not change."""
    campaign = get_object_or_404(Campaign, account=request.account, pk=pk)
    form = _test_form(request, campaign, request.POST)
    if form.is_valid():
        try:
            message = operations.test_send(request.account, campaign.pk, contact_id=form.cleaned_data["contact_id"],
                                           to=form.cleaned_data["to"], source=EventSource.CONSOLE)
        except OutreachError as exc:
            for field, texts in exc.field_errors.items() or [(None, [exc.message])]:
                form.add_error(field if field in form.fields else None, " ".join(texts))
        else:
            record(request.account, request.user, AuditAction.CAMPAIGN_TEST_SENT, campaign,
                   detail={"to": message.to_number, "contact_id": form.cleaned_data["contact_id"],
                           "message_id": str(message.handle)})
            messages.success(request, f"Test message queued to {message.to_number} from {message.from_number}.")
            return redirect("campaigns:detail", pk=campaign.pk)
    return _detail_page(request, campaign, test_form=form, status=422)


@member_required
def campaign_progress(request, pk):
    """The live part of the campaign page, polled by htmx while the campaign runs."""
    campaign = get_object_or_404(Campaign, account=request.account, pk=pk)
    context = _live_context(request, campaign)
    if request.GET.get("v") == context["live_version"]:
        return HttpResponse(status=204)
    return render(request, "campaigns/_live.html", context)


@member_required
@require_POST
def campaign_action(request, pk, action: str):
    campaign = get_object_or_404(Campaign, account=request.account, pk=pk)
    if action not in ACTIONS:
        raise Http404
    try:
        campaign = ACTIONS[action](request.account, campaign.pk)
    except OutreachError as exc:
        messages.error(request, exc.message)
    else:
        record(request.account, request.user, AUDITED[action], campaign, detail={"status": campaign.status})
        messages.success(request, f"{campaign.name} is now {campaign.get_status_display().lower()}.")
    return redirect("campaigns:detail", pk=pk)


@member_required
@require_POST
def campaign_clone(request, pk):
    """A new draft with this campaign's message, audience and settings; opens its form."""
    campaign = get_object_or_404(Campaign, account=request.account, pk=pk)
    copy = services.clone(request.account, campaign.pk)
    record(request.account, request.user, AuditAction.CAMPAIGN_CLONED, copy, detail={"from": str(campaign.pk)})
    messages.success(request, f"Cloned {campaign.name} into the draft {copy.name}: change what you need, then start it.")
    return redirect("campaigns:edit", pk=copy.pk)


@member_required
@require_POST
def campaign_resend(request, pk):
    """Queue again the recipients whose message ended in error."""
    campaign = get_object_or_404(Campaign, account=request.account, pk=pk)
    try:
        resend = operations.resend_failed(request.account, campaign.pk, requested_by=request.user.get_username())
    except OutreachError as exc:
        messages.error(request, exc.message)
    else:
        record(request.account, request.user, AuditAction.CAMPAIGN_RESENT, campaign,
               detail={"recipients": resend.recipients, "resend_id": resend.pk})
        messages.success(request, f"Queued {resend.recipients} failed recipient{'s' if resend.recipients != 1 else ''} "
                                  "again.")
    return redirect("campaigns:detail", pk=pk)


@member_required
@require_POST
def record_outcome(request, pk, kind: str):
    """Log an appointment or a call for one of the campaign's recipients."""
    campaign = get_object_or_404(Campaign, account=request.account, pk=pk)
    form = (AppointmentForm if kind == "appointment" else CallForm)(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect("campaigns:detail", pk=pk)
    data = dict(form.cleaned_data)
    contact_id = data.pop("contact")
    try:
        if kind == "appointment":
            services.record_appointment(request.account, contact_id=contact_id, campaign_id=campaign.pk, **data)
        else:
            services.record_call(request.account, contact_id=contact_id, campaign_id=campaign.pk, **data)
    except OutreachError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Appointment recorded." if kind == "appointment" else "Call logged.")
    return redirect("campaigns:detail", pk=pk)


@member_required
def bulk_list(request):
    page = Paginator(BulkJob.objects.filter(account=request.account), 25).get_page(request.GET.get("page"))
    rows = [(job, bulkjobs.status_of(job)) for job in page.object_list]
    return render(request, "campaigns/bulk_list.html", {"page": page, "rows": rows})


@member_required
def bulk_detail(request, pk):
    job = get_object_or_404(BulkJob, account=request.account, pk=pk)
    results = job.results.select_related("message").order_by("index")
    page = Paginator(results, 50).get_page(request.GET.get("page"))
    rows = [(r, bulkjobs.result_status(r), r.error or (r.message.error_message if r.message_id else ""))
            for r in page.object_list]
    percent = int(100 * job.processed / job.total_recipients) if job.total_recipients else 0
    return render(request, "campaigns/bulk_detail.html", {
        "job": job, "status": bulkjobs.status_of(job), "counts": bulkjobs.counts(job), "page": page,
        "rows": rows, "percent": percent,
    })
