"""The console's core pages: home, account switcher, personal settings, API keys."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from . import panels
from .audit import record
from .choices import AuditAction
from .console import admin_required, member_required
from .exceptions import OutreachError
from .forms import ApiKeyForm, LinkTrackingForm, RetentionForm, TimeZoneForm
from .middleware import SESSION_ACCOUNT_KEY
from .models import ApiKey
from .services import (
    RETENTION_FIELDS,
    create_api_key,
    full_key,
    revoke_api_key,
    set_link_tracking,
    set_member_phone,
    set_member_time_zone,
    set_retention,
)
from .timezones import sorted_zones


@member_required
def home(request):
    # The dashboard's numbers are messaging's: it fills the "home" slot (outreach/panels.py).
    # Its days are the server's (TIME_ZONE) and its figures are cached per account, not per
    # viewer: computed outside the viewer's zone.
    with timezone.override(settings.TIME_ZONE):
        context = panels.context("home", request.account)
    return render(request, "console/home.html", context)


@member_required
@require_POST
def switch_account(request):
    wanted = request.POST.get("account")
    if request.user.memberships.filter(account_id=wanted).exists():
        request.session[SESSION_ACCOUNT_KEY] = str(wanted)
    else:
        messages.error(request, "You are not a member of that account.")
    return redirect(request.POST.get("next") or "console:home")


NEW_KEY_SESSION = "new_api_key"


@admin_required
def api_keys(request):
    """List and create keys. A new key's secret is handed to the next page view through the
    session and popped there (post/redirect/get), so a reload neither re-creates the key
    nor shows the secret again."""
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            key, secret = create_api_key(
                request.account,
                form.cleaned_data["name"],
                form.cleaned_data["scopes"],
                created_by=request.user,
                expires_at=form.cleaned_data["expires_at"],
                dialect=form.cleaned_data["dialect"],
            )
        except OutreachError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            record(request.account, request.user, AuditAction.API_KEY_CREATED, key,
                   detail={"scopes": key.scopes, "dialect": key.dialect})
            request.session[NEW_KEY_SESSION] = {
                "name": key.name, "key_id": key.key_id, "full": full_key(key, secret)
            }
            return redirect("console:api-keys")
    created = request.session.pop(NEW_KEY_SESSION, None) if request.method == "GET" else None
    keys = ApiKey.objects.filter(account=request.account).select_related("created_by")
    page = Paginator(keys, 25).get_page(request.GET.get("page"))
    response = render(
        request,
        "console/api_keys.html",
        {"form": form if request.method == "POST" else ApiKeyForm(), "page": page, "created": created},
        status=422 if request.method == "POST" else 200,
    )
    if created:
        response["Cache-Control"] = "no-store"
    return response


@admin_required
@require_POST
def revoke_key(request, pk: int):
    key = get_object_or_404(ApiKey, account=request.account, pk=pk)
    revoke_api_key(request.account, key.pk)
    record(request.account, request.user, AuditAction.API_KEY_REVOKED, key)
    messages.success(request, f"Revoked {key.name}. Requests with it now get 401.")
    return redirect("console:api-keys")


@member_required
def settings_page(request):
    """The viewer's own settings in the current account: the zone console times are shown
    in, and their own phone number (for campaign test sends)."""
    membership = request.membership
    form = TimeZoneForm(request.POST or None, initial={"time_zone": membership.time_zone, "phone": membership.phone})
    if request.method == "POST" and form.is_valid():
        try:
            set_member_time_zone(membership, form.cleaned_data["time_zone"])
            if "phone" in request.POST:
                set_member_phone(membership, form.cleaned_data["phone"])
        except OutreachError as exc:
            form.add_error(exc.field if exc.field in form.fields else "time_zone", exc.message)
        else:
            messages.success(request, "Saved. Times are now shown in your zone.")
            return redirect("console:settings")
    return render(request, "console/settings.html",
                  {"form": form, "membership": membership, "retention_default": settings.WEBHOOKS_RETENTION_DAYS},
                  status=422 if form.errors else 200)


@member_required
def link_tracking(request):
    """Owners: whether campaign links are tracked, and the short-link domain."""
    account = request.account
    form = LinkTrackingForm(request.POST or None,
                            initial={"track_links": account.track_links, "link_domain": account.link_domain})
    if request.method == "POST" and form.is_valid():
        try:
            set_link_tracking(account, **form.cleaned_data)
        except OutreachError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            record(account, request.user, AuditAction.LINK_TRACKING_CHANGED, account,
                   detail={"track_links": account.track_links, "link_domain": account.link_domain})
            messages.success(request, "Saved link tracking.")
            return redirect("console:link-tracking")
    return render(request, "console/link_tracking.html", {"form": form}, status=422 if form.errors else 200)


@member_required
def retention(request):
    """Owners: how long the account's messages, events and webhook delivery logs are kept
    (outreach/retention.py does the purging)."""
    account = request.account
    form = RetentionForm(request.POST or None, initial={name: getattr(account, name) for name in RETENTION_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            set_retention(account, **form.cleaned_data)
        except OutreachError as exc:
            for name, messages_ in exc.field_errors.items():
                form.add_error(name if name in form.fields else None, messages_)
        else:
            record(account, request.user, AuditAction.RETENTION_CHANGED, account, detail=form.cleaned_data)
            messages.success(request, "Saved data retention. The next hourly run applies it.")
            return redirect("console:retention")
    return render(request, "console/retention.html",
                  {"form": form, "default_days": settings.WEBHOOKS_RETENTION_DAYS},
                  status=422 if form.errors else 200)


@require_GET
@cache_control(public=True, max_age=86400)
def time_zones(request):
    """The ~600 IANA zone names for the console's time-zone fields: fetched once and cached
    by the browser, instead of a 25 KB datalist in every page that has such a field."""
    return JsonResponse(list(sorted_zones()), safe=False)
