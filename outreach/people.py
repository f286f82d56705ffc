"""The verbs of people: invite, withdraw or accept an invitation, change a role, deactivate,
reactivate.

An invitation's link carries a signed, timestamped token of the invitation's id
(``django.core.signing``, salt of its own): it expires after ``INVITATION_MAX_AGE_DAYS`` and
works once (``accepted_at``). An account always keeps one active owner: the last one can be
neither demoted nor deactivated (checked under a row lock, so two owners demoting each other
at once cannot both win).
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .audit import record
from .choices import AuditAction, Role
from .exceptions import InvalidInput, NotFound
from .models import Account, Invitation, Membership
from .signals import person_deactivated, person_role_changed

SALT = "outreach.invitation"


def invitation_token(invitation: Invitation) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(invitation.pk))


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link names; NotFound with the reason for any other."""
    max_age = settings.INVITATION_MAX_AGE_DAYS * 86400
    try:
        pk = signing.TimestampSigner(salt=SALT).unsign(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise NotFound("This invitation has expired. Ask an owner of the account for a new one.") from exc
    except signing.BadSignature as exc:
        raise NotFound("This invitation link is not valid. Check that you copied all of it.") from exc
    invitation = Invitation.objects.select_related("account").filter(pk=pk).first()
    if invitation is None:
        raise NotFound("This invitation was withdrawn. Ask an owner of the account for a new one.")
    if invitation.accepted_at is not None:
        raise NotFound("This invitation was already used. Log in, or reset your password.")
    return invitation


def invite(account: Account, email: str, role: str, *, invited_by, accept_url) -> Invitation:
    """Create an invitation and email its link; ``accept_url(token)`` makes the absolute URL."""
    email = email.strip().lower()
    if role not in Role.values:
        raise InvalidInput(f"Unknown role {role!r}; use {', '.join(Role.values)}.", field="role")
    if Membership.objects.filter(account=account, user__email__iexact=email).exists():
        raise InvalidInput(f"{email} is already a member of {account.name}.", field="email")
    invitation = Invitation.objects.create(account=account, email=email, role=role, invited_by=invited_by)
    context = {
        "account": account, "invitation": invitation, "url": accept_url(invitation_token(invitation)),
        "invited_by": invited_by, "days": settings.INVITATION_MAX_AGE_DAYS,
    }
    send_mail(
        subject=f"You are invited to {account.name} on Outreach",
        message=render_to_string("people/invitation_email.txt", context),
        from_email=None,
        recipient_list=[email],
    )
    record(account, invited_by, AuditAction.PERSON_INVITED, invitation, target_label=email,
           detail={"role": role})
    return invitation


@transaction.atomic
def withdraw(account: Account, pk: int, *, by) -> Invitation:
    """Delete a pending invitation: its link then says it was withdrawn."""
    invitation = Invitation.objects.select_for_update().filter(account=account, pk=pk, accepted_at__isnull=True).first()
    if invitation is None:
        raise NotFound("No such pending invitation in this account.")
    record(account, by, AuditAction.INVITATION_WITHDRAWN, invitation, target_label=invitation.email,
           detail={"role": invitation.role})
    invitation.delete()
    return invitation


@transaction.atomic
def accept(invitation: Invitation, username: str, password: str):
    """Create the invited person's login and seat; the invitation is then spent."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise NotFound("This invitation was already used. Log in, or reset your password.")
    user = get_user_model().objects.create_user(username=username, email=invitation.email, password=password)
    membership = Membership.objects.create(account=invitation.account, user=user, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record(invitation.account, user, AuditAction.PERSON_JOINED, user, target_type="person",
           target_id=membership.pk, detail={"role": invitation.role})
    return user


def _lock_owners(account: Account) -> list[int]:
    """The account's active owners' seat ids, locked until the transaction ends."""
    return list(
        Membership.objects.select_for_update()
        .filter(account=account, role=Role.OWNER, deactivated_at__isnull=True)
        .values_list("pk", flat=True)
    )


def _refuse_last_owner(account: Account, membership: Membership, verb: str) -> None:
    owners = _lock_owners(account)
    if membership.pk in owners and len(owners) == 1:
        raise InvalidInput(
            f"{membership.user.get_username()} is the last owner of {account.name}: make someone "
            f"else an owner first, then {verb}.", field="role",
        )


def member(account: Account, pk: int) -> Membership:
    """A seat of ``account`` (another account's is NotFound)."""
    found = Membership.objects.select_related("user").filter(account=account, pk=pk).first()
    if found is None:
        raise NotFound("No such person in this account.")
    return found


@transaction.atomic
def change_role(account: Account, pk: int, role: str, *, by) -> Membership:
    if role not in Role.values:
        raise InvalidInput(f"Unknown role {role!r}; use {', '.join(Role.values)}.", field="role")
    membership = member(account, pk)
    before = membership.role
    if before == role:
        return membership
    if before == Role.OWNER:
        _refuse_last_owner(account, membership, "change this role")
    membership.role = role
    membership.save(update_fields=["role"])
    record(account, by, AuditAction.PERSON_ROLE_CHANGED, membership.user, target_type="person",
           target_id=membership.pk, detail={"from": before, "to": role})
    person_role_changed.send(sender=Membership, account=account, membership=membership, before=before, by=by)
    return membership


@transaction.atomic
def deactivate(account: Account, pk: int, *, by) -> Membership:
    """The person can no longer open this account; with no other active seat, no longer log in.
    Apps that hold work for the person hear ``outreach.signals.person_deactivated``."""
    membership = member(account, pk)
    if membership.deactivated_at is not None:
        return membership
    _refuse_last_owner(account, membership, "deactivate them")
    membership.deactivated_at = timezone.now()
    membership.save(update_fields=["deactivated_at"])
    user = membership.user
    if not user.memberships.filter(deactivated_at__isnull=True).exists():
        user.is_active = False
        user.save(update_fields=["is_active"])
    record(account, by, AuditAction.PERSON_DEACTIVATED, user, target_type="person", target_id=membership.pk)
    person_deactivated.send(sender=Membership, account=account, membership=membership, by=by)
    return membership


@transaction.atomic
def reactivate(account: Account, pk: int, *, by) -> Membership:
    membership = member(account, pk)
    if membership.deactivated_at is None:
        return membership
    membership.deactivated_at = None
    membership.save(update_fields=["deactivated_at"])
    user = membership.user
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    record(account, by, AuditAction.PERSON_REACTIVATED, user, target_type="person", target_id=membership.pk)
    return membership
