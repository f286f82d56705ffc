"""The console's actions over many contacts: the contacts table's bulk actions (on the
ticked rows or on every contact the filter matches), and lists saved from a filter or an
import. The verbs are ``contacts.bulk``: one statement per table, whatever the count."""
from __future__ import annotations

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from outreach.console import member_required
from outreach.exceptions import OutreachError

from . import bulk
from .choices import ImportStatus, OptOutSource
from .filters import account_filter
from .forms import BulkAction, SaveAsListForm
from .models import Contact, ImportJob


def _contacts(n: int) -> str:
    return f"{n} contact{'' if n == 1 else 's'}"


def _table_url(filter_query: str) -> str:
    return reverse("contacts:list") + (f"?{filter_query}" if filter_query else "")


def _errors(form) -> str:
    return " ".join(str(e) for errs in form.errors.values() for e in errs)


def _matching(request, filter_query: str):
    """The contacts the table's filter (its query string) matches, or None if it is invalid."""
    filterset = account_filter(request.account, QueryDict(filter_query))
    return filterset.qs if filterset.is_valid() else None


def _run(request, action: str, data: dict, contacts) -> str:
    account = request.account
    if action == BulkAction.ADD_TO_LIST:
        added = bulk.add_to_list(account, data["list"], contacts)
        return f"Added {_contacts(added)} to {data['list'].name}."
    if action == BulkAction.TAG:
        tagged = bulk.add_tag(account, contacts, data["tag"])
        return f"Tagged {_contacts(tagged)} “{data['tag'].strip()}”."
    if action == BulkAction.OPT_OUT:
        changed = bulk.opt_out(account, contacts, source=OptOutSource.CONSOLE)
        return f"Opted out {_contacts(changed)}: every send to them is declined."
    deleted = bulk.delete(account, contacts)
    return f"Deleted {_contacts(deleted)}."


@member_required
@require_POST
def contact_bulk(request):
    form = BulkAction(request.POST, account=request.account)
    back = _table_url(request.POST.get("filter", ""))
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect(back)
    data = form.cleaned_data
    if data["scope"] == "filter":
        contacts = _matching(request, data["filter"])
        if contacts is None:
            messages.error(request, "The filter is not valid; apply it again and retry.")
            return redirect(back)
    else:
        contacts = Contact.objects.filter(account=request.account, pk__in=data["contact"])
    if data["action"] in BulkAction.DESTRUCTIVE and not data["confirmed"]:
        count = bulk.scoped(request.account, contacts).count()
        return render(request, "contacts/bulk_confirm.html", {
            "form": form, "count": count, "action": dict(form.fields["action"].choices)[data["action"]],
            "back": back, "ids": data["contact"] if data["scope"] == "selected" else [],
        })
    try:
        messages.success(request, _run(request, data["action"], data, contacts))
    except OutreachError as exc:
        messages.error(request, exc.message)
    return redirect(back)


@member_required
@require_POST
def save_filter_as_list(request):
    form = SaveAsListForm(request.POST)
    back = _table_url(request.POST.get("filter", ""))
    contacts = _matching(request, request.POST.get("filter", "")) if form.is_valid() else None
    if contacts is None:
        messages.error(request, _errors(form) or "The filter is not valid; apply it again and retry.")
        return redirect(back)
    try:
        contact_list, count = bulk.create_list_from(request.account, {"name": form.cleaned_data["name"]}, contacts)
    except OutreachError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, f"Created list {contact_list.name} with {_contacts(count)}.")
    return redirect("contacts:list-detail", pk=contact_list.pk)


@member_required
@require_POST
def save_import_as_list(request, pk):
    job = get_object_or_404(ImportJob.objects.defer("content", "rejected_csv"), account=request.account, pk=pk)
    form = SaveAsListForm(request.POST)
    if job.status != ImportStatus.DONE:
        messages.error(request, "A list can be made of an import once it is done.")
    elif not form.is_valid():
        messages.error(request, _errors(form))
    else:
        try:
            contact_list, count = bulk.create_list_from(
                request.account, {"name": form.cleaned_data["name"]}, bulk.import_contacts(request.account, job)
            )
        except OutreachError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Created list {contact_list.name} with {_contacts(count)}.")
            return redirect("contacts:list-detail", pk=contact_list.pk)
    return redirect("contacts:import-job", pk=job.pk)
