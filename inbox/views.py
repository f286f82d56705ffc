"""The inbox's console pages: labels, canned replies, the assignment rule and each
person's availability. ``outreach.roles`` says who may open and post to each; the services
check the role again."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from campaigns.templating import SAMPLE, render_for
from outreach.console import member_required
from outreach.exceptions import NotFound, OutreachError
from outreach.models import Membership

from . import services
from .forms import AvailabilityForm, CannedReplyForm, LabelForm, RuleForm
from .models import Availability, CannedReply, Label
from .policy import for_member
from .views_work import local


def _errors_into(form, exc: OutreachError) -> None:
    for field, texts in (exc.field_errors or {None: [exc.message]}).items():
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


def _save(request, form, save, done) -> bool:
    """Run ``save(actor, data)`` with the form's data and flash ``done(saved)``; errors land
    on the form."""
    if not form.is_valid():
        return False
    try:
        saved = save(for_member(request.membership), dict(form.cleaned_data))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except OutreachError as exc:
        _errors_into(form, exc)
        return False
    messages.success(request, done(saved))
    return True


def _context(request, **extra) -> dict:
    return {"available": services.is_available(request.membership), **extra}


def _canned_rows(account) -> tuple[list, dict]:
    rows = list(CannedReply.objects.filter(account=account))
    for canned in rows:
        canned.preview = render_for(canned.body, SAMPLE)
    return rows, {"sample": SAMPLE}


@dataclass(frozen=True)
class _Catalog:
    """What the labels page and the canned replies page differ by: the rest is one code."""
    form: type
    page: str
    template: str
    get: Callable
    save: Callable  # (account, data, actor, row=None) -> the row added or changed
    delete: Callable
    rows: Callable  # account -> (rows, extra context)
    name: Callable  # a row -> how a message names it
    deleted: str = ""  # said after "Deleted <name>"


LABELS = _Catalog(
    LabelForm, "inbox:labels", "inbox/labels.html", services.get_label,
    lambda account, data, actor, row=None: services.save_label(account, data, actor=actor, label=row),
    services.delete_label,
    rows=lambda account: (Label.objects.filter(account=account), {}), name=lambda label: f"the label {label.name}",
    deleted=": no conversation carries it now",
)
CANNED = _Catalog(
    CannedReplyForm, "inbox:canned", "inbox/canned.html", services.get_canned,
    lambda account, data, actor, row=None: services.save_canned(account, data, actor=actor, canned=row),
    services.delete_canned, rows=_canned_rows, name=lambda canned: f"the canned reply /{canned.shortcut}",
)


def _page(kind: _Catalog):
    """The catalog's page: its rows (everyone reads), a form to add one (managers and owners)."""

    @member_required
    def page(request):
        form = kind.form(request.POST or None)
        if request.method == "POST" and _save(
            request, form, lambda actor, data: kind.save(request.account, data, actor),
            lambda saved: f"Added {kind.name(saved)}.",
        ):
            return redirect(kind.page)
        rows, extra = kind.rows(request.account)
        return render(request, kind.template, _context(request, form=form, rows=rows, **extra),
                      status=422 if form.errors else 200)

    return page


def _row_views(kind: _Catalog):
    """Change and delete one row of the catalog (managers and owners); a change's errors come
    back as a message."""

    @member_required
    @require_POST
    def edit(request, pk: int):
        row = _get(request, kind, pk)
        form = kind.form(request.POST)
        save = lambda actor, data: kind.save(request.account, data, actor, row)  # noqa: E731
        if not _save(request, form, save, lambda saved: f"Saved {kind.name(saved)}."):
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(kind.page)

    @member_required
    @require_POST
    def delete(request, pk: int):
        row = _get(request, kind, pk)
        kind.delete(request.account, row, actor=for_member(request.membership))
        messages.success(request, f"Deleted {kind.name(row)}{kind.deleted}.")
        return redirect(kind.page)

    return edit, delete


def _get(request, kind: _Catalog, pk: int):
    try:
        return kind.get(request.account, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


labels_page, (label_edit, label_delete) = _page(LABELS), _row_views(LABELS)
canned_page, (canned_edit, canned_delete) = _page(CANNED), _row_views(CANNED)


@member_required
def assignment_page(request):
    """The assignment rule, and who is available for the round-robin."""
    config = services.settings_of(request.account)
    form = RuleForm(request.POST or None, initial={"rule": config.rule})
    if request.method == "POST" and _save(
        request, form, lambda actor, data: services.set_rule(request.account, data["rule"], actor=actor),
        lambda _: "Saved how new replies are assigned.",
    ):
        return redirect("inbox:assignment")
    people = (Membership.objects.filter(account=request.account, deactivated_at__isnull=True)
              .select_related("user").order_by("user__username"))
    available = set(Availability.objects.filter(membership__account=request.account, available=True)
                    .values_list("membership_id", flat=True))
    return render(request, "inbox/assignment.html", _context(
        request, form=form, people=[(m, m.pk in available) for m in people],
    ), status=422 if form.errors else 200)


@member_required
def availability(request):
    """The signed-in person's "Available" toggle: whether the round-robin gives them replies."""
    if request.method == "POST":
        form = AvailabilityForm(request.POST)
        on = form.is_valid() and form.cleaned_data["available"]
        services.set_available(request.membership, on)
        messages.success(request, "You are available: new replies may be assigned to you." if on
                         else "You are away: the round-robin skips you.")
        return redirect(request.POST.get("next") if local(request.POST.get("next")) else "inbox:availability")
    return render(request, "inbox/availability.html", _context(request))
