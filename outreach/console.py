"""Helpers every console view uses: membership and role checks."""
from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def member_required(view):
    """Logged in and a member of an account; ``request.account`` is then set."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.account is None:
            return render(request, "console/no_account.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def admin_required(view):
    """An admin of the current account."""

    @member_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.membership.is_admin:
            return render(
                request,
                "console/forbidden.html",
                {"reason": "Only an account admin can open this page."},
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapper
