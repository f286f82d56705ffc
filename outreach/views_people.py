"""The console's people pages: owners invite, change roles, deactivate; the invitation's
link lets the invited person in. What each role may do is ``outreach.roles``."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import people
from .console import member_required
from .exceptions import NotFound, OutreachError
from .forms import AcceptInvitationForm, InviteForm, RoleForm
from .models import Invitation, Membership


@member_required
def people_page(request):
    """Everyone with a seat, pending invitations, and the invite form (POST)."""
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            people.invite(
                request.account, form.cleaned_data["email"], form.cleaned_data["role"],
                invited_by=request.user,
                accept_url=lambda token: request.build_absolute_uri(reverse("accept-invite", args=[token])),
            )
        except OutreachError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Invited {form.cleaned_data['email']}: the link is in their inbox.")
            return redirect("console:people")
    members = Membership.objects.filter(account=request.account).select_related("user").order_by("user__username")
    pending = Invitation.objects.filter(account=request.account, accepted_at__isnull=True)
    return render(request, "people/people.html", {
        "form": form if request.method == "POST" else InviteForm(), "members": members,
        "pending": pending, "role_form": RoleForm(),
    }, status=422 if form.errors else 200)


def _act(request, verb, done: str, pk: int, **kwargs):
    try:
        membership = verb(request.account, pk, by=request.user, **kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except OutreachError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done.format(name=membership.user.get_username(),
                                              role=membership.get_role_display().lower()))
    return redirect("console:people")


@member_required
@require_POST
def person_role(request, pk: int):
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role: owner, manager, agent or viewer.")
        return redirect("console:people")
    return _act(request, people.change_role, "{name} is now {role}.", pk, role=form.cleaned_data["role"])


@member_required
@require_POST
def person_deactivate(request, pk: int):
    return _act(request, people.deactivate, "Deactivated {name}: they can no longer open this account.", pk)


@member_required
@require_POST
def person_reactivate(request, pk: int):
    return _act(request, people.reactivate, "Reactivated {name} as {role}.", pk)


@member_required
@require_POST
def invitation_withdraw(request, pk: int):
    try:
        invitation = people.withdraw(request.account, pk, by=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    messages.success(request, f"Withdrew the invitation of {invitation.email}: its link no longer works.")
    return redirect("console:people")


def accept_invite(request, token: str):
    """The invitation's link: pick a username and password, then in as the invited role."""
    try:
        invitation = people.invitation_from_token(token)
    except NotFound as exc:
        return render(request, "people/invitation_invalid.html", {"reason": exc.message}, status=404)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = people.accept(invitation, form.cleaned_data["username"], form.cleaned_data["password1"])
        except NotFound as exc:
            return render(request, "people/invitation_invalid.html", {"reason": exc.message}, status=404)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to {invitation.account.name}.")
        return redirect("console:home")
    return render(request, "people/accept.html", {"form": form, "invitation": invitation},
                  status=422 if form.errors else 200)
