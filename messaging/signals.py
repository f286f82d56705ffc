"""Signals other apps (campaigns) listen to, since messaging imports none of them."""
from django.dispatch import Signal

#: Sent after a message's status changed, inside the transaction that changed it.
#: kwargs: message (Message), status (str, the new status)
status_changed = Signal()
#: The same changes, many at once: sent once per batch by the dispatcher (and once per
#: single change by ``record_transition``). Listen here rather than to ``status_changed``
#: to handle a chunk with one query; the dispatcher skips the per-message signal when
#: nobody listens to it. kwargs: changes (list of (Message, status) in order)
statuses_changed = Signal()
#: Sent after an inbound message was recorded. kwargs: message (Message)
message_received = Signal()
