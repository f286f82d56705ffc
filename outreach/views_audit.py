"""The account's audit log page (owners): filter by person, action and dates; newest first."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from .console import member_required
from .forms import AuditFilterForm
from .models import AuditEntry


def _day_start(day) -> datetime:
    """Midnight of ``day`` in the viewer's zone (activated by ViewerTimeZoneMiddleware)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


@member_required
def audit_page(request):
    form = AuditFilterForm(request.GET or None, account=request.account)
    entries = AuditEntry.objects.filter(account=request.account)
    if form.is_valid():
        data = form.cleaned_data
        if data["person"]:
            entries = entries.filter(actor=data["person"])
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["since"]:
            entries = entries.filter(created_at__gte=_day_start(data["since"]))
        if data["until"]:
            entries = entries.filter(created_at__lt=_day_start(data["until"] + timedelta(days=1)))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "people/audit.html", {"form": form, "page": page, "query": query.urlencode()})
