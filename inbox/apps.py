from django.apps import AppConfig
from django.utils.module_loading import import_string

from messaging import signals
from outreach import demo, panels

#: The receivers, imported when first called (the models are not loaded yet when apps are).
RECEIVER = "inbox.receivers.on_message_received"
LEFT_RECEIVER = "inbox.receivers.on_person_deactivated"
ROLE_RECEIVER = "inbox.receivers.on_role_changed"
#: outreach's signal, in a module that imports outreach's models: looked up in ``ready``.
PERSON_DEACTIVATED = "outreach.signals.person_deactivated"
ROLE_CHANGED = "outreach.signals.person_role_changed"


def on_message_received(sender, **kwargs) -> None:
    import_string(RECEIVER)(sender, **kwargs)


def on_person_deactivated(sender, **kwargs) -> None:
    import_string(LEFT_RECEIVER)(sender, **kwargs)


def on_role_changed(sender, **kwargs) -> None:
    import_string(ROLE_RECEIVER)(sender, **kwargs)


class InboxConfig(AppConfig):
    name = "inbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Messaging imports no inbox code: a new reply reaches the inbox through its signal.
        signals.message_received.connect(on_message_received, dispatch_uid="inbox-reply")
        # Nor does outreach: a deactivated person's conversations are handed on through its signal.
        import_string(PERSON_DEACTIVATED).connect(on_person_deactivated, dispatch_uid="inbox-person-left")
        # Nor when a role drops to viewer: a viewer works no conversation, so theirs are handed on too.
        import_string(ROLE_CHANGED).connect(on_role_changed, dispatch_uid="inbox-role-changed")
        # Messaging's console shows a conversation's work, labels and notes through these slots.
        panels.register("inbox-thread", "inbox.panels.thread")
        panels.register("inbox-list", "inbox.panels.conversation_list")
        panels.register("inbox-bulk", "inbox.panels.bulk_bar")
        # Its list's views (Mine, Unassigned, ... by label, by line) and their unread counts.
        panels.provide("inbox-view", "inbox.listing.condition")
        panels.provide("inbox-unread", "inbox.listing.unread")
        panels.provide("inbox-visible", "inbox.listing.visible_condition")
        panels.register("inbox-sidebar", "inbox.views_list.sidebar_context")
        # ``make run``'s demo gets labels and canned replies though campaigns imports no inbox code.
        demo.register("inbox.services.demo.seed_demo")
