"""Providers carry messages for a line. Found by a registry of dotted paths, imported lazily,
so adding a provider is one module and one line here."""
from __future__ import annotations

from functools import cache

from django.utils.module_loading import import_string

PROVIDERS = {
    "sandbox": "messaging.providers.sandbox.SandboxProvider",
    "bluebubbles": "messaging.providers.bluebubbles.BlueBubblesProvider",
}


@cache
def provider_class(name: str):
    try:
        return import_string(PROVIDERS[name])
    except KeyError:
        raise LookupError(f"Unknown provider {name!r}") from None


def provider_for(line):
    """The provider instance that carries ``line``."""
    return provider_class(line.provider)(line)
