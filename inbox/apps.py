from django.apps import AppConfig
from django.utils.module_loading import import_string

from messaging import signals
from outreach import panels

#: The receivers, imported when first called (the models are not loaded yet when apps are).
RECEIVER = "inbox.receivers.on_message_received"


def on_message_received(sender, **kwargs) -> None:
    import_string(RECEIVER)(sender, **kwargs)


class InboxConfig(AppConfig):
    name = "inbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Messaging imports no inbox code: a new reply reaches the inbox through its signal.
        signals.message_received.connect(on_message_received, dispatch_uid="inbox-reply")
        # Messaging's console shows a conversation's work, labels and notes through these slots.
        panels.register("inbox-thread", "inbox.panels.thread")
        panels.register("inbox-list", "inbox.panels.conversation_list")
