"""The providers this install knows: one entry per provider package.

An entry names the provider (``Line.provider``), its label (the choices of that field are
derived from here), its class (a dotted path, imported on first use), the module of its
Celery tasks (imported by ``messaging.tasks`` so workers register them) and its periodic
tasks (beat entries: name -> (task, seconds)). Callbacks need no entry: every provider is
reached on the generic route ``/messages/providers/<name>/<line id>/<rest>`` (see
``messaging/views_callbacks.py``), which hands the request to ``parse_callback``.

Adding a provider is its package plus one ``register(...)`` line below.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class ProviderEntry:
    name: str
    label: str
    #: Dotted path of the ``BaseProvider`` subclass.
    provider: str
    #: Dotted path of the module defining its Celery tasks ("" for none).
    tasks: str = ""
    #: Beat entries: entry name -> (task name, seconds between runs, or the setting naming them).
    periodic: dict[str, tuple[str, float | str]] = field(default_factory=dict)
    #: Dotted path of a module whose ``urlpatterns`` are mounted under /messages/ (console
    #: pages, public files; names in the ``messaging`` namespace), and one mounted under
    #: /api/ ("" for none). Callbacks need neither: they take the generic route.
    urls: str = ""
    api_urls: str = ""
    #: Template of the links the provider adds to a line's row on the lines page ("" for none).
    line_actions: str = ""


PROVIDERS: dict[str, ProviderEntry] = {}


@cache
def provider_class(name: str):
    try:
        return import_string(PROVIDERS[name].provider)
    except KeyError:
        raise LookupError(f"Unknown provider {name!r}") from None


def register(entry: ProviderEntry) -> ProviderEntry:
    PROVIDERS[entry.name] = entry
    provider_class.cache_clear()
    return entry


def unregister(name: str) -> None:
    PROVIDERS.pop(name, None)
    provider_class.cache_clear()


register(ProviderEntry(
    "sandbox", "Sandbox (simulated carrier)", "messaging.providers.sandbox.provider.SandboxProvider",
    tasks="messaging.providers.sandbox.tasks", api_urls="messaging.providers.sandbox.urls",
    # Reports whose wake-up was lost, as often as the dispatcher's reconciler runs.
    periodic={"messaging-sandbox-reports": ("messaging.tasks.sandbox_reports", "DISPATCH_RECONCILE_SECONDS")},
))
register(ProviderEntry(
    "bluebubbles", "BlueBubbles (real iMessage via a Mac)", "messaging.providers.bluebubbles.provider.BlueBubblesProvider",
    tasks="messaging.providers.bluebubbles.tasks",
    # BlueBubbles posts each webhook once: its poll recovers what a missed one lost.
    periodic={"messaging-poll-bluebubbles": ("messaging.providers.bluebubbles_tasks.poll_bluebubbles", 60.0)},
    urls="messaging.providers.bluebubbles.urls", line_actions="bluebubbles/_line_actions.html",
))


def choices() -> list[tuple[str, str]]:
    """``Line.provider``'s choices."""
    return [(entry.name, entry.label) for entry in PROVIDERS.values()]


def provider_for(line):
    """The provider instance that carries ``line``."""
    return provider_class(line.provider)(line)


def periodic_tasks() -> dict[str, dict]:
    """The providers' beat entries, in Celery's ``beat_schedule`` shape."""
    return {
        name: {"task": task, "schedule": getattr(settings, every) if isinstance(every, str) else every}
        for entry in PROVIDERS.values() for name, (task, every) in entry.periodic.items()
    }


def url_modules(kind: str = "urls") -> list[str]:
    """The providers' URL modules of ``kind`` ("urls": console, "api_urls": API), for ``include``."""
    return [getattr(entry, kind) for entry in PROVIDERS.values() if getattr(entry, kind)]
