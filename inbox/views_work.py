"""A conversation's work from its thread page: assign, close, reopen, snooze, label, note.

Each is a POST through ``inbox.services`` (which check the role and audit). htmx gets the
controls back (``inbox/_work_controls.html``, or ``inbox/_notes.html`` for a note), with
the same context the ``inbox-thread`` slot gives messaging's thread page; a plain form post
is redirected to a local ``next``, else to the thread. Another account's conversation, and
one the person's role may not see, is a 404.
"""
from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from messaging.models import Conversation
from outreach.console import member_required
from outreach.exceptions import InvalidInput, NotFound, OutreachError

from . import panels, services
from .policy import Actor, for_member, visible
from .snooze import wake_time


def _conversation(request: HttpRequest, pk: int) -> Conversation:
    found = visible(for_member(request.membership), Conversation.objects.filter(account=request.account, pk=pk))
    conversation = found.select_related("contact").first()
    if conversation is None:
        raise Http404("No such conversation in this account.")
    return conversation


def local(url: str | None) -> bool:
    return bool(url) and url.startswith("/") and not url.startswith("//") and "\\" not in url


def controls_context(request: HttpRequest, conversation: Conversation, error: str = "") -> dict:
    return {"conversation": conversation, "inbox_error": error, **panels.thread(request.account, conversation)}


def _answer(request: HttpRequest, conversation: Conversation, template: str, error: str = "",
            done: str = "") -> HttpResponse:
    if request.headers.get("HX-Request"):
        # htmx swaps 2xx answers only: a refusal comes back as the controls with its reason.
        return render(request, template, controls_context(request, conversation, error))
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    nxt = request.POST.get("next")
    return redirect(nxt if local(nxt) else reverse("messaging:thread", args=[conversation.pk]))


def _action(change: Callable[[HttpRequest, int, Actor], str], template: str = "inbox/_work_controls.html"):
    """A POST view running ``change(request, conversation id, actor)`` -> what it did."""

    @member_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        conversation = _conversation(request, pk)
        try:
            done = change(request, conversation.pk, for_member(request.membership))
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except OutreachError as exc:
            return _answer(request, conversation, template, error=_message(exc))
        return _answer(request, conversation, template, done=done)

    return view


def _message(exc: OutreachError) -> str:
    texts = [text for field_texts in (exc.field_errors or {}).values() for text in field_texts]
    return " ".join(texts) or exc.message


def assignee_id(request: HttpRequest, raw: str | None) -> int | None:
    """``me``, ``none`` (or empty: nobody) or a user id."""
    raw = (raw or "").strip()
    if raw == "me":
        return request.user.pk
    if raw in ("", "none"):
        return None
    if raw.isdigit():
        return int(raw)
    raise InvalidInput(f"{raw!r} is nobody: choose me, nobody or a person.", field="assignee")


def _assign(request, pk, actor) -> str:
    services.assign(request.account, pk, assignee_id(request, request.POST.get("assignee")), actor=actor)
    return "Assigned the conversation."


def _close(request, pk, actor) -> str:
    services.close(request.account, pk, actor=actor)
    return "Closed the conversation."


def _reopen(request, pk, actor) -> str:
    services.reopen(request.account, pk, actor=actor)
    return "Reopened the conversation."


def _snooze(request, pk, actor) -> str:
    now = timezone.now()
    until = wake_time(request.POST.get("preset", ""), request.POST.get("until", ""), now=now,
                      zone=timezone.get_current_timezone())
    services.snooze(request.account, pk, until, actor=actor, now=now)
    return f"Snoozed until {timezone.localtime(until):%a %d %b, %H:%M}."


def ids_of(values: list[str], field: str, what: str) -> list[int]:
    bad = [v for v in values if not v.isdigit()]
    if bad:
        raise InvalidInput(f"Not {what}: {', '.join(bad)}.", field=field)
    return [int(v) for v in values]


def _labels(request, pk, actor) -> str:
    wanted = services.parse(request.account, {"labels": ids_of(request.POST.getlist("labels"), "labels", "labels")})
    services.apply(request.account, [pk], wanted, actor=actor, single=True)
    return "Saved the labels."


def _note(request, pk, actor) -> str:
    services.add_note(request.account, pk, request.POST.get("body", ""), actor=actor)
    return "Added a note (staff only, never sent)."


assign = _action(_assign)
close = _action(_close)
reopen = _action(_reopen)
snooze = _action(_snooze)
set_labels = _action(_labels)
add_note = _action(_note, "inbox/_notes.html")


@member_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """The list's bulk action on the selected conversations: those the person may change
    are changed, the others counted as refused; the answer says both."""
    actor = for_member(request.membership)
    data = {"label": request.POST.get("label", "")}
    try:
        ids = ids_of(request.POST.getlist("ids"), "ids", "conversations")
        data["label"] = int(data["label"]) if data["label"].isdigit() else data["label"]
        if request.POST.get("action") == "assign":
            data["assignee"] = assignee_id(request, request.POST.get("assignee"))
        result = services.bulk(request.account, ids, request.POST.get("action", ""), data, actor=actor)
    except OutreachError as exc:
        text, level = _message(exc), messages.ERROR
    else:
        text, level = result.message, messages.SUCCESS
    if request.headers.get("HX-Request"):
        response = render(request, "inbox/_bulk_result.html", {"text": text, "ok": level == messages.SUCCESS})
        response["HX-Trigger"] = "inbox-bulk-done"  # the list and the counts refresh
        return response
    messages.add_message(request, level, text)
    nxt = request.POST.get("next")
    return redirect(nxt if local(nxt) else reverse("messaging:inbox"))
