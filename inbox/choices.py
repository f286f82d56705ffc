"""Constants of the team inbox."""
from django.db import models


class State(models.TextChoices):
    """Where a conversation stands as a piece of work."""

    OPEN = "open", "Open"
    SNOOZED = "snoozed", "Snoozed"
    CLOSED = "closed", "Closed"


class Rule(models.TextChoices):
    """How a new reply's unassigned conversation gets its assignee."""

    MANUAL = "manual", "Manual: someone assigns it"
    ROUND_ROBIN = "round_robin", "Round-robin among available people"


#: Label colours the console offers (any ``#rrggbb`` is accepted).
DEFAULT_COLOUR = "#6b7280"
