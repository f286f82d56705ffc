"""The periodic (beat) schedule, declared in one place.

Each entry: name -> (task, seconds between runs, or the setting naming them, read when the
schedule is built at start-up). The providers' own periodic work (BlueBubbles' poll, the
sandbox's due reports) is declared in their registry entries and joins here through
``PROVIDERS_SCHEDULE`` (a dotted path: outreach imports no app). Beat only carries
sweeps: the work and its due times are in the database, so a missed run costs time only.
"""
from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

ENTRIES: dict[str, tuple[str, float | str]] = {
    # Idempotency keys are kept 24 hours; an hourly sweep keeps the table one day of sends.
    "outreach-purge-idempotency-keys": ("outreach.tasks.purge_idempotency_keys", 3600.0),
    # CSV imports that stopped reporting progress are resumed.
    "contacts-resume-imports": ("contacts.tasks.resume_stale_imports", 60.0),
    # The reconciler makes the database queue safe: it re-wakes due work a lost wake-up left
    # behind and returns claims of dead workers.
    "messaging-reconcile": ("messaging.tasks.reconcile", "DISPATCH_RECONCILE_SECONDS"),
    # The safety net for lost campaign tasks: stalled fan-outs, completions, withdrawals.
    "campaigns-sweep": ("campaigns.tasks.sweep", 30.0),
    # Webhook retry waits are due times in the database: this sweep turns them into work.
    "webhooks-sweep": ("webhooks.tasks.sweep", 5.0),
    # Data retention: each app's purger, per account, in bounded batches (outreach/retention.py).
    "outreach-retention": ("outreach.tasks.apply_retention", "RETENTION_SWEEP_SECONDS"),
    # The dashboard's rollups: the events since the last run, recounted (bounded batches).
    "messaging-roll-up": ("messaging.tasks.roll_up", "DASHBOARD_ROLLUP_SECONDS"),
    # Snoozed conversations whose wake-up time came open again, in bounded batches.
    "inbox-wake-snoozed": ("inbox.tasks.wake_snoozed", 60.0),
}
#: The providers' periodic tasks, in beat's shape (messaging/providers/registry.py).
PROVIDERS_SCHEDULE = "messaging.providers.registry.periodic_tasks"


def beat_schedule() -> dict[str, dict]:
    schedule = {
        name: {"task": task, "schedule": getattr(settings, every) if isinstance(every, str) else every}
        for name, (task, every) in ENTRIES.items()
    }
    if "messaging" in {app.split(".")[0] for app in settings.INSTALLED_APPS}:
        schedule.update(import_string(PROVIDERS_SCHEDULE)())
    return schedule
