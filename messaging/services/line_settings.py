"""A line's own settings, as owners change them in the console: its name and limits, and
whether it is active (a deactivated line sends nothing and takes no new conversations;
its history stays)."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from outreach.exceptions import InvalidInput
from outreach.models import Account

from ..lines import forget_lines
from ..models import Line

#: The settings an owner changes, with the least and most each may be.
LIMITS = {"burst_per_second": (1, 100), "new_contacts_per_hour": (0, 10_000), "new_contacts_per_day": (0, 100_000)}


def update_line(account: Account, line: Line, *, name: str, **limits: int) -> Line:
    """Set the line's name and limits; every bad one is named at once."""
    problems = {
        field: f"{field.replace('_', ' ').capitalize()} must be a whole number from {low} to {high}."
        for field, (low, high) in LIMITS.items()
        if field in limits and not (isinstance(limits[field], int) and low <= limits[field] <= high)
    }
    if len(name) > Line._meta.get_field("name").max_length:
        problems["name"] = "The name is at most 100 characters."
    if problems:
        raise InvalidInput.of_fields(problems)
    fields = {"name": name, **{k: v for k, v in limits.items() if k in LIMITS}}
    Line.objects.filter(account=account, pk=line.pk).update(**fields)
    for key, value in fields.items():
        setattr(line, key, value)
    forget_lines(account.pk)
    return line


@transaction.atomic
def set_line_active(account: Account, line: Line, active: bool) -> bool:
    """Deactivate (or reactivate) the line; True when its state changed."""
    changed = Line.objects.filter(account=account, pk=line.pk, active=not active).update(
        active=active, state_changed_at=timezone.now()
    )
    if changed:
        line.refresh_from_db()
        forget_lines(account.pk)
    return bool(changed)
