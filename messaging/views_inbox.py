"""The console inbox: the conversation list, a thread, the reply box, the sandbox's
"play the customer", and the fragments htmx polls so new messages and status changes
appear without a reload."""
from __future__ import annotations

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from contacts.models import Contact
from outreach import panels
from outreach.audit import record
from outreach.choices import AuditAction
from outreach.console import member_required
from outreach.exceptions import OutreachError

from . import inbox, inbox_scope, inbox_team, media, services
from .choices import EventSource, MessageType, Provider, Tapback
from .forms import ComposeForm, InboxFilterForm, RenameGroupForm, ReplyForm, SimulateInboundForm
from .models import Conversation, Message

#: How often the open thread and the list ask for changes (milliseconds).
THREAD_POLL_MS = 1500
LIST_POLL_MS = 5000
#: The header, reply box and contact panel of an open thread (``thread_live``).
LIVE_POLL_MS = 3000


def _filters(request: HttpRequest) -> tuple[InboxFilterForm, dict, str]:
    """The list's filter form, the filters it yields, and the query string that keeps them
    across links (without ``offset`` and the poll's ``v``)."""
    form = InboxFilterForm(request.GET or None, account=request.account)
    wanted: dict = {}
    if form.is_valid():
        data = form.cleaned_data
        wanted = {"q": data["q"] or "", "line": data["line"], "unread": data["unread"], "opted_out": data["opted_out"]}
    params = request.GET.copy()
    for key in ("offset", "v", "before", "selected"):
        params.pop(key, None)
    return form, wanted, params.urlencode()


def _conversation_window(request: HttpRequest) -> tuple[InboxFilterForm, inbox.Window]:
    form, wanted, query = _filters(request)
    key, condition = inbox_scope.view(request)
    win = inbox.window(
        inbox.conversations(request.account, where=condition & inbox_scope.visible(request), **wanted),
        inbox.parse_offset(request.GET.get("offset")),
        inbox.LIST_SIZE,
        query,
    )
    inbox.attach_previews(win.rows)
    inbox_team.attach_work(request.account, win.rows)
    win.extra["version"] = inbox.list_version(win.rows)
    win.extra["searched"] = bool(wanted and any(wanted.values()))
    win.extra["filtered"] = win.extra["searched"] or key != inbox_scope.default_view(request.membership)
    win.extra["view"] = key
    return form, win


def _list_context(request: HttpRequest, form: InboxFilterForm, win: inbox.Window, selected: int | None) -> dict:
    """The list pane: filters, the page of rows, the views with their unread counts (the
    ``inbox-sidebar`` slot's context for ``inbox/_view_counts.html``) and the bulk bar's
    (``inbox-bulk``); both empty without the inbox app."""
    context = {"filter_form": form, "window": win, "list_poll_ms": LIST_POLL_MS, "selected": selected}
    context.update(panels.context("inbox-sidebar", request.account, request))
    context.update(panels.context("inbox-bulk", request.account, request.membership))
    context["current_view"] = win.extra["view"]  # the person's default when ``?view=`` names none
    return context


def _get_conversation(request: HttpRequest, pk: int) -> Conversation:
    # Scoped by account and by what the role may read: another account's conversation, and
    # another agent's, is a 404 (its actions too).
    return get_object_or_404(
        Conversation.objects.select_related("line", "contact").filter(inbox_scope.visible(request)),
        account=request.account, pk=pk,
    )


def _thread_context(request: HttpRequest, conversation: Conversation) -> dict:
    if conversation.unread_count:
        services.mark_read(request.account, conversation)
        conversation.unread_count = 0
    before = request.GET.get("before")
    messages, has_older = inbox.thread(conversation, before=int(before) if (before or "").isdigit() else None)
    extras = inbox_team.thread_extras(request.account, conversation)
    notes = extras.get("inbox_notes", [])
    return {
        **extras,
        "conversation": conversation,
        "thread_messages": inbox_team.timeline(messages, notes, has_older=has_older),
        "has_older": has_older,
        "thread_version": inbox.thread_version(conversation, messages) + inbox_team.notes_version(notes),
        "thread_poll_ms": THREAD_POLL_MS,
        "paged_back": bool(before),
        "tapbacks": Tapback.choices,
    }


def _contact_context(conversation: Conversation) -> dict:
    contact = conversation.contact
    if contact is None and conversation.message_type == MessageType.MESSAGE:
        # The thread may predate the contact (created later by a reply or an import).
        contact = Contact.objects.filter(account=conversation.account_id, e164_number=conversation.address).first()
    context: dict = {"contact": contact, "contact_lists": [], "contact_url": None,
                     "live_version": _live_version(contact), "live_poll_ms": LIVE_POLL_MS}
    if conversation.message_type == MessageType.GROUP:
        context["group_participants"] = _participants(conversation)
        context["rename_form"] = RenameGroupForm(initial={"group_name": conversation.group_display_name})
    if contact is not None:
        context["contact_lists"] = list(contact.lists.all())
        try:
            context["contact_url"] = reverse("contacts:detail", args=[contact.pk])
        except NoReverseMatch:  # the contacts pages are not installed
            pass
        # Appointments, calls and campaigns, from the apps that own them (outreach/panels.py).
        context.update(panels.context("inbox-contact", conversation.account_id, contact))
    return context


def _live_version(contact: Contact | None) -> str:
    """What the header, the reply box and the contact panel show of the contact."""
    if contact is None:
        return "none"
    return f"{contact.pk}:{contact.opted_out_at and contact.opted_out_at.timestamp()}:{contact.updated_at.timestamp()}"


@member_required
@require_GET
def thread_live(request: HttpRequest, pk: int) -> HttpResponse:
    """The open thread's header status, opted-out note, reply box and contact panel, swapped
    out of band (``_thread_live.html``); 204 while the contact is as the page shows it. The
    reply box (and its draft) is replaced only when the opt-out it was drawn for changed."""
    conversation = _get_conversation(request, pk)
    context = {"conversation": conversation, "reply_form": ReplyForm(), **_contact_context(conversation)}
    if request.GET.get("v") == context["live_version"]:
        return HttpResponse(status=204)
    contact = context["contact"]
    context["reply_changed"] = request.GET.get("o", "") != ("1" if contact is not None and contact.opted_out else "")
    return render(request, "messaging/_thread_live.html", context)


def _participants(conversation: Conversation) -> list[tuple[str, str]]:
    """A group's participants: (address, the contact's name or "")."""
    names = {
        c.e164_number: c.full_name
        for c in Contact.objects.filter(account=conversation.account_id, e164_number__in=conversation.participants)
    }
    return [(address, names.get(address, "")) for address in conversation.participants]


def _can_simulate(conversation: Conversation) -> bool:
    return conversation.line.provider == Provider.SANDBOX and conversation.message_type == MessageType.MESSAGE


@member_required
@require_GET
def inbox_page(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    conversation = _get_conversation(request, pk) if pk is not None else None
    thread_context = _thread_context(request, conversation) if conversation else {}  # marks it read
    form, win = _conversation_window(request)
    context = _list_context(request, form, win, pk)
    if conversation is not None:
        context.update(thread_context)
        context.update(_contact_context(conversation))
        context["reply_form"] = ReplyForm()
        context["simulate_form"] = SimulateInboundForm() if _can_simulate(conversation) else None
    return render(request, "messaging/inbox.html", context)


@member_required
@require_GET
def conversation_list(request: HttpRequest) -> HttpResponse:
    """The list fragment htmx polls; 204 (nothing to swap) while it is unchanged."""
    _, win = _conversation_window(request)
    if request.GET.get("v") == win.extra["version"]:
        return HttpResponse(status=204)
    selected = request.GET.get("selected")
    return render(request, "messaging/_conversation_list.html", {
        "window": win, "list_poll_ms": LIST_POLL_MS,
        "selected": int(selected) if (selected or "").isdigit() else None,
    })


@member_required
@require_GET
def thread_messages(request: HttpRequest, pk: int) -> HttpResponse:
    """The thread fragment htmx polls; 204 while nothing in it changed."""
    conversation = _get_conversation(request, pk)
    context = _thread_context(request, conversation)
    if request.GET.get("v") == context["thread_version"]:
        return HttpResponse(status=204)
    return render(request, "messaging/_thread_messages.html", context)


def _fragment_or_redirect(request: HttpRequest, conversation: Conversation) -> HttpResponse:
    if request.headers.get("HX-Request"):
        response = render(request, "messaging/_thread_messages.html", _thread_context(request, conversation))
        response["HX-Trigger"] = "thread-sent"  # inbox.js scrolls to the newest message
        return response
    return redirect("messaging:thread", pk=conversation.pk)


def _form_error(request: HttpRequest, conversation: Conversation, template: str, target: str, form) -> HttpResponse:
    """A form with its errors: the fragment in place for htmx, else the whole page (422)."""
    if request.headers.get("HX-Request"):
        # htmx does not swap 4xx answers, so the fragment comes back as 200 and retargeted.
        response = render(request, template, {"conversation": conversation, "form": form})
        response["HX-Retarget"] = target
        response["HX-Reswap"] = "outerHTML"
        return response
    thread_context = _thread_context(request, conversation)
    form_, win = _conversation_window(request)
    context = _list_context(request, form_, win, conversation.pk)
    context.update(thread_context)
    context.update(_contact_context(conversation))
    context["reply_form"] = form if isinstance(form, ReplyForm) else ReplyForm()
    context["simulate_form"] = form if isinstance(form, SimulateInboundForm) else SimulateInboundForm()
    if not _can_simulate(conversation):
        context["simulate_form"] = None
    return render(request, "messaging/inbox.html", context, status=422)


def _message_fields(request: HttpRequest, form: ReplyForm, *, from_number: str | None) -> dict:
    """What the send services take, from a reply or compose form; an uploaded file is
    stored first and travels as its public URL (the way ``/api/upload-media-object`` works)."""
    media_url = form.cleaned_data["media_url"]
    upload = form.cleaned_data.get("media_file")
    if upload:
        media_url = media.public_url(media.store_upload(request.account, upload))
    return {
        "content": form.cleaned_data["content"],
        "media_url": media_url,
        "send_style": form.cleaned_data["send_style"],
        "from_number": from_number,
        "source": EventSource.CONSOLE,
        "send_at": form.cleaned_data.get("send_at"),
        "reply_to": form.cleaned_data.get("reply_to") or "",
    }


def _add_error(form, exc: OutreachError) -> None:
    field = {"file": "media_file", "number": "to"}.get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


def _record_sent(request: HttpRequest, message: Message) -> None:
    detail = {"conversation": message.conversation_id, "status": message.status}
    if message.scheduled_for:
        detail["send_at"] = message.scheduled_for.isoformat()
    record(request.account, request.user, AuditAction.MESSAGE_SENT, message, target_id=message.handle,
           target_label=str(message.conversation) if message.conversation_id else "", detail=detail)


@member_required
def compose(request: HttpRequest) -> HttpResponse:
    """A message to a number: the way to start a conversation from the console."""
    form = ComposeForm(request.POST or None, request.FILES or None, account=request.account,
                       initial={"to": request.GET.get("to", "")})
    if request.method == "POST" and form.is_valid():
        line = form.cleaned_data["line"]
        try:
            message = services.send(request.account, to=form.cleaned_data["to"],
                                    **_message_fields(request, form, from_number=line.number if line else None))
        except OutreachError as exc:
            _add_error(form, exc)
        else:
            _record_sent(request, message)
            return redirect("messaging:thread", pk=message.conversation_id)
    return render(request, "messaging/compose.html", {"form": form},
                  status=422 if request.method == "POST" else 200)


@member_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = _get_conversation(request, pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            fields = _message_fields(request, form, from_number=conversation.line.number)
            if conversation.message_type == MessageType.GROUP:
                message = services.send_group(request.account, group_id=conversation.group_id, **fields)
            else:
                message = services.send(request.account, to=conversation.address, **fields)
        except OutreachError as exc:
            _add_error(form, exc)
        else:
            _record_sent(request, message)
            return _fragment_or_redirect(request, conversation)
    return _form_error(request, conversation, "messaging/_reply_form.html", "#reply-form", form)


@member_required
@require_POST
def cancel_scheduled(request: HttpRequest, pk: int, handle) -> HttpResponse:
    """Cancel a scheduled message of this thread before its time."""
    return act_on_message(request, pk, handle, services.cancel_scheduled, AuditAction.SCHEDULED_CANCELLED)


def act_on_message(request: HttpRequest, pk: int, handle, act, audit: str, **only) -> HttpResponse:
    """Change one message of this thread with ``act(account, message, source=...)`` and audit
    it by handle; a handle not in the thread (``only`` narrows it) is a 404, a refusal is
    flashed. The thread comes back either way."""
    conversation = _get_conversation(request, pk)
    message = Message.objects.filter(account=request.account, conversation=conversation, handle=handle, **only).first()
    if message is None:
        raise Http404
    try:
        act(request.account, message, source=EventSource.CONSOLE)
    except OutreachError as exc:
        flash.error(request, exc.message)
    else:
        record(request.account, request.user, audit, message, target_id=message.handle,
               target_label=conversation.address, detail={"conversation": conversation.pk})
    return _fragment_or_redirect(request, conversation)


@member_required
@require_POST
def react(request: HttpRequest, pk: int, handle) -> HttpResponse:
    """A tapback on a message of this thread, from its line."""
    conversation = _get_conversation(request, pk)
    message = Message.objects.filter(account=request.account, conversation=conversation, handle=handle).first()
    if message is None:
        raise Http404
    reaction = request.POST.get("reaction", "")
    try:
        services.send_reaction(request.account, str(handle), reaction)
    except OutreachError as exc:
        flash.error(request, exc.message)
    else:
        record(request.account, request.user, AuditAction.REACTION_SENT, message, target_id=message.handle,
               target_label=conversation.address, detail={"reaction": reaction, "conversation": conversation.pk})
    return _fragment_or_redirect(request, conversation)


@member_required
@require_POST
def simulate(request: HttpRequest, pk: int) -> HttpResponse:
    """Sandbox only: the customer's side of the conversation, for demos and tests."""
    conversation = _get_conversation(request, pk)
    if not _can_simulate(conversation):
        flash.error(request, "Only a conversation on a sandbox line can play the customer.")
        return redirect("messaging:thread", pk=conversation.pk)
    form = SimulateInboundForm(request.POST)
    if form.is_valid():
        try:
            services.simulate_inbound(request.account, conversation.line, conversation.address, form.cleaned_data["text"])
        except OutreachError as exc:
            form.add_error("text", exc.message)
        else:
            return _fragment_or_redirect(request, conversation)
    return _form_error(request, conversation, "messaging/_simulate_form.html", "#simulate-form", form)


@member_required
@require_POST
def rename_group(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a group thread, on its line's network and here."""
    conversation = _get_conversation(request, pk)
    if conversation.message_type != MessageType.GROUP:
        raise Http404
    form = RenameGroupForm(request.POST)
    if form.is_valid():
        try:
            services.rename_group(request.account, conversation.group_id, form.cleaned_data["group_name"])
        except OutreachError as exc:
            flash.error(request, exc.message)
        else:
            flash.success(request, "Renamed the group." if form.cleaned_data["group_name"] else "Cleared the group's name.")
    else:
        flash.error(request, " ".join(form.errors.get("group_name", [])))
    return redirect("messaging:thread", pk=conversation.pk)
