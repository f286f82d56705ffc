"""The console's bulk job form: recipients pasted or uploaded and one message, queued by
``bulkjobs.create_job`` (the service ``POST /api/v1/messages/bulk`` calls), with the API's
validation messages put back on the form, every bad field at once."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from messaging.validation import validate_priority
from outreach.console import member_required
from outreach.exceptions import OutreachError

from . import bulkjobs
from .forms import BulkJobForm
from .models import BulkJob


def _put_errors(form: BulkJobForm, exc: bulkjobs.BadMessages, recipients: list[str]) -> None:
    """``messages.<i>.to`` on the recipients (saying which), ``messages.<i>.body`` on the
    message (once: every item carries the same body)."""
    seen: set[tuple[str, str]] = set()
    for key, texts in exc.errors.items():
        parts = key.split(".")
        field = "body" if parts[-1] == "body" else "recipients"
        for text in texts:
            if field == "recipients" and len(parts) == 3 and recipients:
                index = int(parts[1])
                text = f"Recipient {index + 1} ({recipients[index][:40]!r}): {text}"
            if (field, text) not in seen:
                seen.add((field, text))
                form.add_error(field, text)


def _create(request, form: BulkJobForm) -> BulkJob | None:
    form.is_valid()  # the fields' own shapes; the service's checks below run whatever they found
    data = form.cleaned_data
    recipients = form.recipient_list()
    body = data.get("body", "")
    items = [{"to": to, "body": body} for to in recipients] or [{"to": "", "body": body}]
    try:
        bulkjobs.check_messages(items)
    except bulkjobs.BadMessages as exc:
        _put_errors(form, exc, recipients)
    priority = data.get("priority")
    priority = 0 if priority is None else priority
    if "priority" in data:
        try:
            validate_priority(priority)
        except OutreachError as exc:
            form.add_error("priority", exc.message)
    if form.errors:
        return None
    try:
        return bulkjobs.create_job(request.account, items, priority=priority)
    except OutreachError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


@member_required
def bulk_new(request):
    # Bound on any POST, even an empty one: _create reads the form's cleaned data.
    form = BulkJobForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST":
        job = _create(request, form)
        if job is not None:
            messages.success(request, f"Queued bulk job {job.public_id}: {job.total_recipients} "
                                      f"recipient{'' if job.total_recipients == 1 else 's'}.")
            return redirect("campaigns:bulk-job", pk=job.pk)
    return render(request, "campaigns/bulk_form.html", {"form": form},
                  status=422 if request.method == "POST" else 200)
