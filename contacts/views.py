"""The console's contact book: the contacts table, a contact's page, and lists."""
from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST

from outreach import csvfiles, panels
from outreach.audit import record
from outreach.choices import AuditAction
from outreach.console import member_required
from outreach.exceptions import OutreachError

from . import services
from .choices import OptOutSource, SortOrder
from .filters import account_filter, search_contacts
from .forms import ContactForm, ContactListForm
from .models import Contact, ContactList

EXPORT_COLUMNS = [
    "id", "phone_number", "e164_number", "first_name", "last_name", "email", "company_name",
    "timezone", "tags", "opted_out", "created_at",
]


def _filtered(request):
    return account_filter(request.account, request.GET)


@member_required
def contact_list(request):
    filterset = _filtered(request)
    contacts = filterset.qs if filterset.is_valid() else Contact.objects.none()
    page = Paginator(contacts.prefetch_related("lists"), 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "contacts/list.html", {
        "page": page, "filterset": filterset, "query": query.urlencode(),
        "lists": ContactList.objects.filter(account=request.account), "sort_choices": SortOrder.choices,
    })


class _Echo:
    def write(self, value: str) -> str:
        return value


@member_required
def export_csv(request):
    """The filtered view as CSV, streamed so a large book does not sit in memory."""
    filterset = _filtered(request)
    contacts = filterset.qs if filterset.is_valid() else Contact.objects.none()
    writer = csvfiles.writer(_Echo())

    def rows():
        yield writer.writerow([*EXPORT_COLUMNS, "lists", "custom_variables"])
        for c in contacts.prefetch_related("lists").iterator(chunk_size=2000):
            values = [getattr(c, name) for name in EXPORT_COLUMNS]
            values[EXPORT_COLUMNS.index("tags")] = ", ".join(c.tags)
            custom = "; ".join(f"{k}={v}" for k, v in c.custom_variables.items())
            yield writer.writerow([*values, ", ".join(lst.name for lst in c.lists.all()), custom])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="contacts.csv"'
    return response


def _save_contact(request, form: ContactForm, contact: Contact | None):
    list_ids = [lst.pk for lst in form.cleaned_data["lists"]]
    try:
        if contact is None:
            return services.create_contact(request.account, form.service_data(), list_ids=list_ids)
        return services.update_contact(request.account, contact, form.service_data(), list_ids=list_ids)
    except OutreachError as exc:
        form.add_service_error(exc)
        return None


@member_required
def contact_new(request):
    form = ContactForm(request.POST or None, account=request.account)
    if request.method == "POST" and form.is_valid():
        contact = _save_contact(request, form, None)
        if contact is not None:
            record(request.account, request.user, AuditAction.CONTACT_CREATED, contact)
            messages.success(request, f"Added {contact}.")
            return redirect("contacts:detail", pk=contact.pk)
    return render(request, "contacts/form.html", {"form": form},
                  status=422 if request.method == "POST" else 200)


@member_required
def contact_detail(request, pk):
    contact = get_object_or_404(Contact.objects.prefetch_related("lists"), account=request.account, pk=pk)
    if request.method == "POST":
        form = ContactForm(request.POST, account=request.account)
        saved = _save_contact(request, form, contact) if form.is_valid() else None
        if saved is not None:
            record(request.account, request.user, AuditAction.CONTACT_CHANGED, saved)
            messages.success(request, "Saved.")
            return redirect("contacts:detail", pk=contact.pk)
    else:
        form = ContactForm(initial=ContactForm.initial_for(contact), account=request.account)
    return render(request, "contacts/detail.html", {
        "contact": contact, "form": form,
        **panels.context("contact", request.account, contact),  # its conversations, from messaging
    }, status=422 if request.method == "POST" else 200)




@member_required
@require_POST
def contact_opt(request, pk):
    contact = get_object_or_404(Contact, account=request.account, pk=pk)
    if contact.opted_out:
        services.opt_in(request.account, contact, source=OptOutSource.CONSOLE)
        record(request.account, request.user, AuditAction.CONTACT_OPTED_IN, contact)
        messages.success(request, f"{contact} can receive messages again.")
    else:
        services.opt_out(request.account, contact, source=OptOutSource.CONSOLE)
        record(request.account, request.user, AuditAction.CONTACT_OPTED_OUT, contact)
        messages.success(request, f"{contact} is opted out: every send to them is declined.")
    return redirect("contacts:detail", pk=contact.pk)


@member_required
@require_POST
def contact_delete(request, pk):
    contact = get_object_or_404(Contact, account=request.account, pk=pk)
    label, contact_id = str(contact), contact.pk
    services.delete_contact(request.account, contact)
    record(request.account, request.user, AuditAction.CONTACT_DELETED, target_type="contact",
           target_id=contact_id, target_label=label)
    messages.success(request, f"Deleted {contact}.")
    return redirect("contacts:list")


@member_required
def list_index(request):
    form = ContactListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lst = services.create_list(request.account, form.cleaned_data)
        except OutreachError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Created list {lst.name}.")
            return redirect("contacts:lists")
    page = Paginator(services.lists_with_counts(request.account), 25).get_page(request.GET.get("page"))
    return render(request, "contacts/lists.html", {"form": form, "page": page},
                  status=422 if request.method == "POST" else 200)


@member_required
def list_detail(request, pk):
    lst = get_object_or_404(services.lists_with_counts(request.account), pk=pk)
    form = ContactListForm(request.POST or None, instance=lst)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_list(request.account, lst, form.cleaned_data)
        except OutreachError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Saved.")
            return redirect("contacts:list-detail", pk=lst.pk)
    members = Paginator(lst.contacts.order_by("-created_at", "pk"), 25).get_page(request.GET.get("page"))
    find = request.GET.get("find", "").strip()
    candidates = None
    if find:
        outside = Contact.objects.filter(account=request.account).exclude(lists=lst).order_by("-created_at", "pk")
        candidates = Paginator(search_contacts(outside, find), 10).get_page(request.GET.get("find_page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "contacts/list_detail.html", {
        "list": lst, "form": form, "page": members, "find": find, "candidates": candidates,
        "query": query.urlencode(),
    }, status=422 if request.method == "POST" else 200)


@member_required
@require_POST
def list_members(request, pk, verb):
    """Add (``verb`` "add") or remove the ticked contacts."""
    lst = get_object_or_404(ContactList, account=request.account, pk=pk)
    ids = request.POST.getlist("contact")
    try:
        if verb == "add":
            count = services.add_to_list(request.account, lst, ids)
            messages.success(request, f"Added {count} contact{pluralize(count)} to {lst.name}.")
        else:
            count = services.remove_from_list(request.account, lst, ids)
            messages.success(request, f"Removed {count} contact{pluralize(count)} from {lst.name}.")
    except OutreachError as exc:
        messages.error(request, "Tick at least one contact." if not ids else exc.message)
    return redirect(reverse("contacts:list-detail", args=[lst.pk]) + _next_query(request))


def _next_query(request) -> str:
    """Back to the page and search the form was posted from."""
    keep = QueryDict(mutable=True)
    for name in ("page", "find", "find_page"):
        if request.POST.get(name):
            keep[name] = request.POST[name]
    return f"?{keep.urlencode()}" if keep else ""


@member_required
@require_POST
def list_delete(request, pk):
    lst = get_object_or_404(ContactList, account=request.account, pk=pk)
    services.delete_list(request.account, lst)
    messages.success(request, f"Deleted list {lst.name}; its contacts are kept.")
    return redirect("contacts:lists")
