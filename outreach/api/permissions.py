"""Scope checks. Each API view declares ``scope_family`` (a ``Family``); safe methods
need a scope that reads the family, other methods one that writes it."""
from __future__ import annotations

from rest_framework import permissions

from outreach.choices import SCOPE_WRITES, Family, Scope


def can_read(scopes, family: str) -> bool:
    scopes = set(scopes)
    if scopes & {Scope.FULL_ACCESS, Scope.READ_ONLY}:
        return True
    return any(family in SCOPE_WRITES.get(s, ()) for s in scopes)


def can_write(scopes, family: str) -> bool:
    scopes = set(scopes)
    if Scope.FULL_ACCESS in scopes:
        return True
    return any(family in SCOPE_WRITES.get(s, ()) for s in scopes)


class HasScope(permissions.BasePermission):
    message = "This API key's scopes do not allow this action."

    def has_permission(self, request, view) -> bool:
        key = request.auth
        if key is None:
            return False
        family = getattr(view, "scope_family", None)
        if family is None:
            raise AssertionError(f"{view.__class__.__name__} must declare scope_family")
        if family == Family.ACCOUNT and request.method in permissions.SAFE_METHODS:
            return True
        if request.method in permissions.SAFE_METHODS:
            allowed = can_read(key.scopes, family)
        else:
            allowed = can_write(key.scopes, family)
        if not allowed:
            self.message = (
                f"This API key's scopes ({', '.join(key.scopes)}) do not allow "
                f"{'reading' if request.method in permissions.SAFE_METHODS else 'changing'} "
                f"{Family(family).label.lower()}."
            )
        return allowed
