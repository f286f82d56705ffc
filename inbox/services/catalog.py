"""The account's labels and canned replies: managers and owners write them, everyone reads.
Canned replies are campaign templates (``campaigns.templating``): ``{first_name|there}``."""
from __future__ import annotations

import re

from django.db import IntegrityError, transaction

from campaigns import templating
from outreach.audit import record
from outreach.choices import AuditAction
from outreach.exceptions import InvalidInput, NotFound

from ..models import CannedReply, Label
from ..policy import Actor, check_manager

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
SHORTCUT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_BODY = 2000


def label_errors(account, data: dict, label: Label | None = None) -> dict[str, str]:
    """What is wrong with these values of a label (new, or ``label`` changed), by field."""
    errors = {}
    if "name" in data or label is None:
        name = (data.get("name") or "").strip()
        clash = Label.objects.filter(account=account, name__iexact=name).exclude(pk=getattr(label, "pk", None))
        if not name or len(name) > 50:
            errors["name"] = "Name the label (1 to 50 characters)."
        elif clash.exists():
            errors["name"] = f"This account already has a label {name!r}."
    if "colour" in data and not COLOUR.match(data["colour"] or ""):
        errors["colour"] = f"{data['colour']!r} is not a colour; write it as #rrggbb, such as #2563eb."
    return errors


def _save(account, obj, data: dict, errors: dict, *, actor: Actor, action: str, verb: str, field: str):
    if errors:
        raise InvalidInput.of_fields(errors)
    for key, value in data.items():
        setattr(obj, key, value.strip() if isinstance(value, str) and key != "body" else value)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:  # a concurrent create of the same name
        raise InvalidInput(f"This account already has that {field}.", field=field) from exc
    record(account, actor.user, action, obj, detail={"verb": verb})
    return obj


def save_label(account, data: dict, *, actor: Actor, label: Label | None = None) -> Label:
    check_manager(actor, "change labels")
    data = {k: v for k, v in data.items() if k in ("name", "colour")}
    return _save(account, label or Label(account=account), data, label_errors(account, data, label),
                 actor=actor, action=AuditAction.LABEL_CHANGED, verb="changed" if label else "created", field="name")


def _delete(account, obj, *, actor: Actor, action: str, what: str) -> None:
    check_manager(actor, f"delete {what}")
    record(account, actor.user, action, obj, detail={"verb": "deleted"})
    obj.delete()


def _get(model, account, pk, what: str):
    found = model.objects.filter(account=account, pk=pk).first()
    if found is None:
        raise NotFound(f"No such {what} in this account.")
    return found


def delete_label(account, label: Label, *, actor: Actor) -> None:
    _delete(account, label, actor=actor, action=AuditAction.LABEL_CHANGED, what="labels")


def get_label(account, pk) -> Label:
    return _get(Label, account, pk, "label")


def canned_errors(account, data: dict, canned: CannedReply | None = None) -> dict[str, str]:
    """What is wrong with these values of a canned reply, by field (``data``'s shortcut is
    normalised: no leading ``/``)."""
    errors = {}
    if "shortcut" in data or canned is None:
        shortcut = (data.get("shortcut") or "").strip().lstrip("/")
        data["shortcut"] = shortcut
        clash = CannedReply.objects.filter(account=account, shortcut=shortcut).exclude(pk=getattr(canned, "pk", None))
        if not SHORTCUT.match(shortcut):
            errors["shortcut"] = ("A shortcut is 1 to 40 lower-case letters, digits, '-' or '_', starting with a "
                                  "letter or digit (typed as /shortcut).")
        elif clash.exists():
            errors["shortcut"] = f"This account already has a canned reply /{shortcut}."
    if "body" in data or canned is None:
        body = data.get("body") or ""
        if not body.strip() or len(body) > MAX_BODY:
            errors["body"] = f"Write the reply (1 to {MAX_BODY:,} characters)."
        else:
            try:
                templating.check(body, field="body")
            except InvalidInput as exc:
                errors["body"] = exc.message
    return errors


def save_canned(account, data: dict, *, actor: Actor, canned: CannedReply | None = None) -> CannedReply:
    check_manager(actor, "change canned replies")
    data = {k: v for k, v in data.items() if k in ("shortcut", "body")}
    errors = canned_errors(account, data, canned)
    return _save(account, canned or CannedReply(account=account), data, errors, actor=actor,
                 action=AuditAction.CANNED_REPLY_CHANGED, verb="changed" if canned else "created", field="shortcut")


def delete_canned(account, canned: CannedReply, *, actor: Actor) -> None:
    _delete(account, canned, actor=actor, action=AuditAction.CANNED_REPLY_CHANGED, what="canned replies")


def get_canned(account, pk) -> CannedReply:
    return _get(CannedReply, account, pk, "canned reply")


def render(canned: CannedReply, contact) -> str:
    """The reply as ``contact`` (a Contact or None: every fallback) would receive it."""
    values = {} if contact is None else {
        "first_name": contact.first_name, "last_name": contact.last_name, "email": contact.email,
        "company_name": contact.company_name, "e164_number": contact.e164_number,
        "custom_variables": contact.custom_variables,
    }
    return templating.render_for(canned.body, values)
