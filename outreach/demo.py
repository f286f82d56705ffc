"""Demo seeders: how ``seed_demo`` (a campaigns command) fills the demo account with the rows
of apps it may not import, such as the inbox's labels and canned replies.

An app registers a seeder (dotted path of a function ``(account) -> None``, imported when
first called) in its ``AppConfig.ready``; ``seed(account)`` runs every registered one in
registration order. A seeder adds only what is missing, so running ``seed_demo`` twice adds
nothing.
"""
from __future__ import annotations

from django.utils.module_loading import import_string

_SEEDERS: list[str] = []


def register(seeder: str) -> None:
    """Add ``seeder`` (a dotted path) to the seeders ``seed`` runs."""
    if seeder not in _SEEDERS:
        _SEEDERS.append(seeder)


def seed(account) -> None:
    """Run every registered seeder for the demo ``account``."""
    for seeder in _SEEDERS:
        import_string(seeder)(account)
