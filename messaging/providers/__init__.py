"""Providers carry messages for a line: one package per network under this folder, found
through ``registry.py`` (one entry each). See ``base.py`` for the interface."""
