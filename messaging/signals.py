"""Signals other apps (campaigns) listen to, since messaging imports none of them."""
from django.dispatch import Signal

#: Sent after a message's status changed, inside the transaction that changed it.
#: kwargs: message (Message), status (str, the new status)
status_changed = Signal()
#: Sent after an inbound message was recorded. kwargs: message (Message)
message_received = Signal()
