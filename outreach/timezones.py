"""Time zones: the IANA names the console offers and accepts, and the zone a viewer reads
times in.

A staff member's zone is their membership's ``time_zone``, or else the account's
``default_timezone``; ``ViewerTimeZoneMiddleware`` activates it for each console request,
so templates (``{{ value|date }}``), forms and ``localtime`` show that zone with no
per-template code, and ``base.html`` names it once per page.
"""
from __future__ import annotations

import functools
import zoneinfo

from django.utils import timezone


@functools.cache
def iana_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def sorted_zones() -> tuple[str, ...]:
    return tuple(sorted(iana_zones()))


def is_zone(name: str) -> bool:
    return name in iana_zones()


def viewer_zone_name(membership) -> str:
    """The zone a staff member reads times in: theirs, else their account's, else UTC."""
    if membership is None:
        return "UTC"
    for name in (membership.time_zone, membership.account.default_timezone):
        if name and is_zone(name):
            return name
    return "UTC"


class ViewerTimeZoneMiddleware:
    """Activates the viewer's zone for a console request (after ``CurrentAccountMiddleware``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = getattr(request, "membership", None)
        if membership is None:
            return self.get_response(request)
        name = viewer_zone_name(membership)
        request.time_zone = name
        timezone.activate(zoneinfo.ZoneInfo(name))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
