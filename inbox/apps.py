from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "inbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from messaging import signals
        from outreach import panels

        from . import receivers

        # Messaging imports no inbox code: a new reply reaches the inbox through its signal.
        signals.message_received.connect(receivers.on_message_received, dispatch_uid="inbox-reply")
        # Messaging's console shows a conversation's work, labels and notes through these slots.
        panels.register("inbox-thread", "inbox.panels.thread")
        panels.register("inbox-list", "inbox.panels.conversation_list")
