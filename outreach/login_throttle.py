"""Login throttling with django-axes: the console's login form and Django admin's.

``AXES_FAILURE_LIMIT`` failed logins for one username, or from one client address, lock
that username or that address out for ``AXES_COOLOFF_TIME``; every attempt while locked
(even with the right password) starts the cool-off again. The login page then answers 429
and says when to try again. Attempts are rows (axes' database handler), so the lock holds
across web processes in production (PostgreSQL) and in embedded mode (SQLite).
"""
from __future__ import annotations

import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses a locked-out username or address before any password is checked.

    ``authenticate()`` without a request (a shell, a management command, the test client's
    ``login``) is no login attempt over HTTP: it is not counted and passes on to the next
    backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or behind ``TRUSTED_PROXY_COUNT`` reverse
    proxies the address the first of them saw (they append to ``X-Forwarded-For``, so the
    entries a client wrote itself are further left and never read)."""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def locked_out(request, original_response=None, credentials=None):
    """The login page again, with a 429 and when to try again."""
    minutes = math.ceil(get_cool_off(request).total_seconds() / 60)
    form = AuthenticationForm(request, initial={"username": (credentials or {}).get("username", "")})
    context = {"form": form, "locked_out_minutes": minutes, "next": request.GET.get("next", "")}
    return render(request, "registration/login.html", context, status=429)
