"""The verbs of the core: accounts, memberships, API keys."""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from .choices import Dialect, RetentionMode, Role, Scope
from .exceptions import InvalidInput
from .models import Account, ApiKey, Membership, hash_secret
from .phones import to_e164
from .timezones import is_zone

KEY_ID_PREFIX = "ok_"


def create_account(name: str, email: str, plan: str | None = None) -> Account:
    if Account.objects.filter(name=name).exists():
        raise InvalidInput(f"An account named {name!r} already exists.", field="name")
    kwargs = {"name": name, "email": email}
    if plan:
        kwargs["plan"] = plan
    return Account.objects.create(**kwargs)


def add_member(account: Account, user, role: str = Role.AGENT) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        account=account, user=user, defaults={"role": role}
    )
    return membership


def create_staff_user(account: Account, username: str, password: str, role: str = Role.OWNER):
    user = get_user_model().objects.create_user(username=username, password=password)
    add_member(account, user, role)
    return user


def set_member_time_zone(membership: Membership, name: str) -> Membership:
    """The zone this member reads console times in; blank follows the account's default."""
    name = (name or "").strip()
    if name and not is_zone(name):
        raise InvalidInput(
            f"{name!r} is not a time zone; pick a name from the list, such as America/New_York.",
            field="time_zone",
        )
    membership.time_zone = name
    membership.save(update_fields=["time_zone"])
    return membership


def set_member_phone(membership: Membership, raw: str) -> Membership:
    """The member's own number (E.164; blank: none), where campaign test sends may go."""
    membership.phone = to_e164(raw, field="phone") if (raw or "").strip() else ""
    membership.save(update_fields=["phone"])
    return membership


def set_link_tracking(account: Account, *, track_links: bool, link_domain: str) -> Account:
    """The account's tracked-links switch and short-link domain (an http(s) origin, no path)."""
    domain = (link_domain or "").strip().rstrip("/")
    if domain and (not domain.startswith(("https://", "http://")) or "/" in domain.split("://", 1)[1]
                   or "?" in domain or "#" in domain):
        raise InvalidInput("link_domain: give an origin such as https://go.example.com, without a path.",
                           field="link_domain")
    account.track_links, account.link_domain = bool(track_links), domain
    account.save(update_fields=["track_links", "link_domain"])
    return account


#: Longest retention an account may set, in days (ten years).
MAX_RETENTION_DAYS = 3650
RETENTION_FIELDS = ("message_retention_days", "message_retention_mode", "event_retention_days",
                    "webhook_delivery_retention_days")


def set_retention(account: Account, **changes) -> Account:
    """Change the account's data retention (``outreach.retention``). Days are whole days from
    1 to ``MAX_RETENTION_DAYS``, or None (messages: kept; events and deliveries: the
    deployment's ``WEBHOOKS_RETENTION_DAYS``); every bad field is named in one error."""
    errors: dict[str, str] = {}
    for name, value in changes.items():
        if name not in RETENTION_FIELDS:
            errors[name] = f"{name} is not a retention setting; use {', '.join(RETENTION_FIELDS)}."
        elif name == "message_retention_mode":
            if value not in RetentionMode.values:
                errors[name] = f"{name} must be one of {', '.join(RetentionMode.values)}."
        elif value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                    or not 1 <= value <= MAX_RETENTION_DAYS):
            errors[name] = f"{name} must be a whole number of days from 1 to {MAX_RETENTION_DAYS}, or null."
    if errors:
        raise InvalidInput.of_fields(errors)
    for name, value in changes.items():
        setattr(account, name, value)
    if changes:
        account.save(update_fields=list(changes))
        # API keys are cached with their account (outreach/api/authentication.py).
        for key_id in ApiKey.objects.filter(account=account).values_list("key_id", flat=True):
            forget_api_key(key_id)
    return account


def validate_scopes(scopes: Iterable[str]) -> list[str]:
    scopes = list(dict.fromkeys(scopes))
    if not scopes:
        raise InvalidInput("Choose at least one scope.", field="scopes")
    unknown = [s for s in scopes if s not in Scope.values]
    if unknown:
        raise InvalidInput(
            f"Unknown scope(s) {', '.join(unknown)}; use {', '.join(Scope.values)}.",
            field="scopes",
        )
    return scopes


def create_api_key(
    account: Account,
    name: str,
    scopes: Iterable[str],
    *,
    created_by=None,
    expires_at: datetime | None = None,
    dialect: str = Dialect.SENDBLUE,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret. The secret is never stored or shown again."""
    scopes = validate_scopes(scopes)
    if dialect not in Dialect.values:
        raise InvalidInput(f"Unknown dialect {dialect!r}; use {' or '.join(Dialect.values)}.", field="dialect")
    if not name.strip():
        raise InvalidInput("Give the key a name.", field="name")
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput("The expiry must be in the future.", field="expires_at")
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        account=account,
        name=name.strip(),
        key_id=KEY_ID_PREFIX + secrets.token_hex(8),
        secret_hash=hash_secret(secret),
        scopes=scopes,
        created_by=created_by,
        expires_at=expires_at,
        dialect=dialect,
    )
    return key, secret


def full_key(key: ApiKey, secret: str) -> str:
    """The single string for ``X-API-Key`` or ``Authorization: Bearer``."""
    return f"{key.key_id}.{secret}"


def revoke_api_key(account: Account, key_id: int) -> ApiKey:
    key = ApiKey.objects.get(account=account, pk=key_id)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])  # the save drops the cached key (outreach.signals)
    return key


def cache_key_for(key_id: str) -> str:
    return f"apikey:{key_id}"


def forget_api_key(key_id: str) -> None:
    cache.delete(cache_key_for(key_id))
