"""The inbox's console pages: labels, canned replies, the assignment rule and each
person's availability. ``outreach.roles`` says who may open and post to each; the services
check the role again."""
from __future__ import annotations

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


def _errors_into(form, exc: OutreachError) -> None:
    for field, texts in (exc.field_errors or {None: [exc.message]}).items():
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


def _save(request, form, save, done: str) -> bool:
    """Run ``save(actor)`` with the form's data; errors land on the form."""
    if not form.is_valid():
        return False
    try:
        save(for_member(request.membership), dict(form.cleaned_data))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except OutreachError as exc:
        _errors_into(form, exc)
        return False
    messages.success(request, done)
    return True


def _context(request, **extra) -> dict:
    return {"available": services.is_available(request.membership), **extra}


@member_required
def labels_page(request):
    """The account's labels (everyone reads), a form to add one (managers and owners)."""
    form = LabelForm(request.POST or None)
    if request.method == "POST" and _save(
        request, form, lambda actor, data: services.save_label(request.account, data, actor=actor),
        f"Added the label {request.POST.get('name', '').strip()}.",
    ):
        return redirect("inbox:labels")
    rows = Label.objects.filter(account=request.account)
    return render(request, "inbox/labels.html", _context(request, form=form, labels=rows),
                  status=422 if form.errors else 200)


@member_required
@require_POST
def label_edit(request, pk: int):
    label = _label(request, pk)
    form = LabelForm(request.POST)
    save = lambda actor, data: services.save_label(request.account, data, actor=actor, label=label)  # noqa: E731
    if not _save(request, form, save, f"Saved the label {request.POST.get('name', '').strip()}."):
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("inbox:labels")


@member_required
@require_POST
def label_delete(request, pk: int):
    label = _label(request, pk)
    services.delete_label(request.account, label, actor=for_member(request.membership))
    messages.success(request, f"Deleted the label {label.name}: no conversation carries it now.")
    return redirect("inbox:labels")


def _label(request, pk: int) -> Label:
    try:
        return services.get_label(request.account, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _canned(request, pk: int) -> CannedReply:
    try:
        return services.get_canned(request.account, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@member_required
def canned_page(request):
    """Canned replies with a preview for a sample contact; managers and owners add them."""
    form = CannedReplyForm(request.POST or None)
    if request.method == "POST" and _save(
        request, form, lambda actor, data: services.save_canned(request.account, data, actor=actor),
        f"Added the canned reply /{request.POST.get('shortcut', '').strip().lstrip('/')}.",
    ):
        return redirect("inbox:canned")
    rows = list(CannedReply.objects.filter(account=request.account))
    for canned in rows:
        canned.preview = render_for(canned.body, SAMPLE)
    return render(request, "inbox/canned.html", _context(request, form=form, replies=rows, sample=SAMPLE),
                  status=422 if form.errors else 200)


@member_required
@require_POST
def canned_edit(request, pk: int):
    canned = _canned(request, pk)
    form = CannedReplyForm(request.POST)
    save = lambda actor, data: services.save_canned(request.account, data, actor=actor, canned=canned)  # noqa: E731
    if not _save(request, form, save, f"Saved /{canned.shortcut}."):
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("inbox:canned")


@member_required
@require_POST
def canned_delete(request, pk: int):
    canned = _canned(request, pk)
    services.delete_canned(request.account, canned, actor=for_member(request.membership))
    messages.success(request, f"Deleted the canned reply /{canned.shortcut}.")
    return redirect("inbox:canned")


@member_required
def assignment_page(request):
    """The assignment rule, and who is available for the round-robin."""
    config = services.settings_of(request.account)
    form = RuleForm(request.POST or None, initial={"rule": config.rule})
    if request.method == "POST" and _save(
        request, form, lambda actor, data: services.set_rule(request.account, data["rule"], actor=actor),
        "Saved how new replies are assigned.",
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
        return redirect(request.POST.get("next") if _local(request.POST.get("next")) else "inbox:availability")
    return render(request, "inbox/availability.html", _context(request))


def _local(url: str | None) -> bool:
    return bool(url) and url.startswith("/") and not url.startswith("//")
