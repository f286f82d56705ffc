"""The console's webhook pages: endpoints, one endpoint with its delivery log, one delivery.

Reading is for members; anything that changes an endpoint or shows a secret is for admins.
A new secret is handed to the next page view through the session and popped there, so a
reload never shows it again.
"""
from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from outreach.audit import record
from outreach.choices import AuditAction
from outreach.console import admin_required, member_required
from outreach.exceptions import OutreachError

from . import services
from .choices import DeliveryStatus
from .delivery import body_bytes
from .forms import DeliveryFilterForm, EndpointForm, ReplaySinceForm
from .models import Delivery, Endpoint

SECRET_SESSION = "webhooks_new_secret"


def _hand_secret(request, label: str, secret: str) -> None:
    request.session[SECRET_SESSION] = {"label": label, "secret": secret}


def _take_secret(request):
    return request.session.pop(SECRET_SESSION, None) if request.method == "GET" else None


def _no_store(response, secret) -> object:
    if secret:
        response["Cache-Control"] = "no-store"
    return response


def _apply_error(form, exc: OutreachError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@member_required
def endpoints(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST":
        if not request.membership.is_admin:
            return render(request, "console/forbidden.html", {"reason": "Only an account admin can add endpoints."}, status=403)
        if form.is_valid():
            try:
                endpoint = services.create_endpoint(request.account, **form.cleaned_data)
            except OutreachError as exc:
                _apply_error(form, exc)
            else:
                record(request.account, request.user, AuditAction.WEBHOOK_CREATED, endpoint,
                       target_label=endpoint.url, detail={"event_types": endpoint.event_types})
                _hand_secret(request, f"Signing secret of {endpoint.url}", endpoint.secret)
                messages.success(request, "Endpoint added. Copy its signing secret now.")
                return redirect("webhooks:endpoint", pk=endpoint.pk)
    rows = Endpoint.objects.filter(account=request.account)
    secret = _take_secret(request)
    response = render(
        request,
        "webhooks/endpoints.html",
        {
            "form": form if request.method == "POST" else EndpointForm(),
            "page": Paginator(rows, 25).get_page(request.GET.get("page")),
            "disabled": rows.filter(enabled=False),
            "secret": secret,
        },
        status=422 if request.method == "POST" else 200,
    )
    return _no_store(response, secret)


@member_required
def endpoint_detail(request, pk: int):
    endpoint = get_object_or_404(Endpoint, account=request.account, pk=pk)
    form = EndpointForm(
        request.POST or None,
        initial={
            "url": endpoint.url, "description": endpoint.description,
            "event_types": endpoint.event_types, "payload_format": endpoint.payload_format,
        },
    )
    if request.method == "POST":
        if not request.membership.is_admin:
            return render(request, "console/forbidden.html", {"reason": "Only an account admin can edit endpoints."}, status=403)
        if form.is_valid():
            try:
                services.update_endpoint(request.account, endpoint.pk, **form.cleaned_data)
            except OutreachError as exc:
                _apply_error(form, exc)
            else:
                record(request.account, request.user, AuditAction.WEBHOOK_CHANGED, endpoint,
                       target_label=form.cleaned_data.get("url") or endpoint.url,
                       detail={"event_types": form.cleaned_data.get("event_types")})
                messages.success(request, "Endpoint saved.")
                return redirect("webhooks:endpoint", pk=endpoint.pk)
    filters = DeliveryFilterForm(request.GET or None)
    deliveries = endpoint.deliveries.select_related("event")
    status = filters.cleaned_data.get("status") if filters.is_valid() else ""
    if status:
        deliveries = deliveries.filter(status=status)
    secret = _take_secret(request)
    response = render(
        request,
        "webhooks/endpoint.html",
        {
            "endpoint": endpoint,
            "form": form,
            "filters": filters,
            "page": Paginator(deliveries, 25).get_page(request.GET.get("page")),
            "query": f"status={status}" if status else "",
            "replay_form": ReplaySinceForm(),
            "secret": secret,
        },
        status=422 if request.method == "POST" else 200,
    )
    return _no_store(response, secret)


@member_required
def callbacks(request):
    """Deliveries to messages' ``status_callback`` URLs (no endpoint), newest first."""
    filters = DeliveryFilterForm(request.GET or None)
    deliveries = Delivery.objects.filter(account=request.account, endpoint=None).select_related("event")
    status = filters.cleaned_data.get("status") if filters.is_valid() else ""
    if status:
        deliveries = deliveries.filter(status=status)
    return render(
        request,
        "webhooks/callbacks.html",
        {
            "filters": filters,
            "page": Paginator(deliveries, 25).get_page(request.GET.get("page")),
            "query": f"status={status}" if status else "",
            "replay_form": ReplaySinceForm(),
        },
    )


@admin_required
@require_POST
def replay_callbacks(request):
    form = ReplaySinceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the time to replay from, e.g. 2026-01-31 09:00.")
    else:
        try:
            count = services.replay_failed(request.account, form.cleaned_data["since"])
        except OutreachError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{count} failed deliver{'y' if count == 1 else 'ies'} queued again.")
    return redirect("webhooks:callbacks")


@member_required
def delivery_detail(request, pk: int):
    delivery = get_object_or_404(
        Delivery.objects.select_related("event", "endpoint"), account=request.account, pk=pk
    )
    attempts = list(delivery.attempt_log.all())
    return render(
        request,
        "webhooks/delivery.html",
        {
            "delivery": delivery,
            "attempts": attempts,
            "body": body_bytes(delivery.event, delivery.payload_format).decode(),
            "last_headers": attempts[-1].request_headers if attempts else {},
        },
    )


def _back(request, default: str):
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/webhooks/") else default)


@admin_required
@require_POST
def rotate_secret(request, pk: int):
    try:
        endpoint = services.rotate_endpoint_secret(request.account, pk)
    except OutreachError as exc:
        messages.error(request, exc.message)
        return redirect("webhooks:endpoints")
    record(request.account, request.user, AuditAction.WEBHOOK_SECRET_ROTATED, endpoint, target_label=endpoint.url)
    _hand_secret(request, f"New signing secret of {endpoint.url}", endpoint.secret)
    messages.success(request, "Secret rotated. The old one keeps signing for 24 hours.")
    return redirect("webhooks:endpoint", pk=pk)


@admin_required
@require_POST
def rotate_account_secret(request):
    obj = services.rotate_account_secret(request.account)
    record(request.account, request.user, AuditAction.WEBHOOK_SECRET_ROTATED,
           target_type="account_secret", target_label="Default signing secret")
    _hand_secret(request, "New default signing secret (status callbacks)", obj.secret)
    messages.success(request, "Default secret rotated. The old one keeps signing for 24 hours.")
    return redirect("webhooks:endpoints")


@admin_required
@require_POST
def toggle(request, pk: int):
    endpoint = get_object_or_404(Endpoint, account=request.account, pk=pk)
    if endpoint.enabled:
        services.disable_endpoint(request.account, pk, "Disabled by a user.")
        messages.success(request, "Endpoint disabled: no events go to it until you enable it.")
    else:
        services.enable_endpoint(request.account, pk)
        messages.success(request, "Endpoint enabled. Replay failed deliveries to catch up.")
    record(request.account, request.user, AuditAction.WEBHOOK_TOGGLED, endpoint, target_label=endpoint.url,
           detail={"enabled": not endpoint.enabled})
    return _back(request, reverse("webhooks:endpoint", args=[pk]))


@admin_required
@require_POST
def send_test(request, pk: int):
    endpoint = get_object_or_404(Endpoint, account=request.account, pk=pk)
    try:
        services.send_test(request.account, endpoint)
    except OutreachError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Test event sent; it shows in the log below.")
    return redirect("webhooks:endpoint", pk=pk)


@admin_required
@require_POST
def delete(request, pk: int):
    endpoint = get_object_or_404(Endpoint, account=request.account, pk=pk)
    services.delete_endpoint(request.account, endpoint.pk)
    record(request.account, request.user, AuditAction.WEBHOOK_DELETED, endpoint, target_label=endpoint.url)
    messages.success(request, f"Deleted {endpoint.url}.")
    return redirect("webhooks:endpoints")


@admin_required
@require_POST
def replay(request, pk: int):
    delivery = get_object_or_404(Delivery, account=request.account, pk=pk)
    try:
        services.replay_delivery(request.account, delivery.pk)
    except OutreachError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Delivery queued again.")
    default = reverse("webhooks:endpoint", args=[delivery.endpoint_id]) if delivery.endpoint_id else reverse("webhooks:callbacks")
    return _back(request, default)


@admin_required
@require_POST
def replay_failed(request, pk: int):
    endpoint = get_object_or_404(Endpoint, account=request.account, pk=pk)
    form = ReplaySinceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the time to replay from, e.g. 2026-01-31 09:00.")
    else:
        try:
            count = services.replay_failed(request.account, form.cleaned_data["since"], endpoint_pk=endpoint.pk)
        except OutreachError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{count} failed deliver{'y' if count == 1 else 'ies'} queued again.")
    return redirect(f"{reverse('webhooks:endpoint', args=[pk])}?status={DeliveryStatus.PENDING}")
