"""Turning what a user typed into contact field values, with messages that say what to fix.

Shared by the single-contact service, the batch endpoint and the CSV import, so a row is
judged the same way whichever door it came through.
"""
from __future__ import annotations

import functools
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from outreach.exceptions import InvalidInput
from outreach.phones import to_e164
from outreach.timezones import iana_zones

TEXT_LIMITS = {"first_name": 100, "last_name": 100, "company_name": 200, "email": 254}
MAX_TAGS = 50
MAX_TAG_LENGTH = 50
MAX_VARIABLES = 50
VARIABLE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
#: Fast paths for the common shapes of North American numbers (most of a large import):
#: phonenumbers costs ~25 us a number, these regexes ~1 us, and they give the same E.164
#: (area code 2-9xx, 10 digits). Anything else goes through phonenumbers.
NANP_E164 = re.compile(r"^\+1[2-9]\d{9}$")
NANP_INTERNATIONAL = re.compile(r"^\+1[\s.\-]*\(?([2-9]\d{2})\)?[\s.\-]*(\d{3})[\s.\-]*(\d{4})$")
NANP_NATIONAL = re.compile(r"^\(?([2-9]\d{2})\)?[\s.\-]*(\d{3})[\s.\-]*(\d{4})$")
NANP_REGIONS = {"US", "CA"}


def clean_phone(raw: Any) -> tuple[str, str]:
    """-> (as typed, E.164)."""
    if raw is None or isinstance(raw, (dict, list, bool)):
        raise InvalidInput("phone_number is required and must be a string such as (555) 123-4567.",
                           field="phone_number")
    text = str(raw).strip()
    if NANP_E164.match(text):
        return text, text
    match = NANP_INTERNATIONAL.match(text)
    if match is None and settings.DEFAULT_PHONE_REGION in NANP_REGIONS:
        match = NANP_NATIONAL.match(text)
    if match is not None:
        return text, "+1" + "".join(match.groups())
    return text, to_e164(text, field="phone_number")


def clean_text(name: str, raw: Any) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise InvalidInput(f"{name} must be a string.", field=name)
    value = raw.strip()
    if len(value) > TEXT_LIMITS[name]:
        raise InvalidInput(f"{name} is {len(value)} characters; at most {TEXT_LIMITS[name]}.", field=name)
    if name == "email" and value:
        try:
            validate_email(value)
        except ValidationError:
            raise InvalidInput(f"{value!r} is not an email address; use the form name@example.com.",
                               field="email") from None
    return value


def clean_timezone(raw: Any) -> str:
    if raw in (None, ""):
        return ""
    if not isinstance(raw, str) or raw.strip() not in iana_zones():
        raise InvalidInput(
            f"{raw!r} is not an IANA time zone; use a name such as America/New_York.", field="timezone"
        )
    return raw.strip()


def clean_tags(raw: Any) -> list[str]:
    """A list of strings (or, from a CSV cell, "a, b; c"); trimmed, empty and repeated ones dropped."""
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        raw = re.split(r"[,;]", raw)
    if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
        raise InvalidInput('tags must be a list of strings, e.g. ["lead", "priority"].', field="tags")
    tags: list[str] = []
    for tag in (t.strip() for t in raw):
        if len(tag) > MAX_TAG_LENGTH:
            raise InvalidInput(f"Tag {tag[:20]!r}... is longer than {MAX_TAG_LENGTH} characters.", field="tags")
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"A contact has at most {MAX_TAGS} tags; got {len(tags)}.", field="tags")
    return tags


def clean_variables(raw: Any) -> dict[str, Any]:
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        raise InvalidInput('custom_variables must be an object such as {"plan": "gold"}.',
                           field="custom_variables")
    if len(raw) > MAX_VARIABLES:
        raise InvalidInput(f"At most {MAX_VARIABLES} custom variables; got {len(raw)}.", field="custom_variables")
    for key, value in raw.items():
        if not VARIABLE_KEY.match(str(key)):
            raise InvalidInput(
                f"Custom variable name {key!r} must start with a letter or _ and use only letters, "
                "digits and _ (at most 64).",
                field="custom_variables",
            )
        if not isinstance(value, (str, int, float, bool)) and value is not None:
            raise InvalidInput(f"Custom variable {key!r} must be a string, number or boolean.",
                               field="custom_variables")
    return dict(raw)


def search_text(first_name: str, last_name: str, email: str, company_name: str, e164: str) -> str:
    """What search matches against: lower-cased words and the number's digits."""
    digits = "".join(ch for ch in e164 if ch.isdigit())
    parts = (first_name, last_name, email, company_name, digits)
    return " ".join(p.lower() for p in parts if p)


def _clean_all(data: dict[str, Any], require_phone: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """Every field present judged, none skipped because another failed: -> (values, errors)."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    checks: list[tuple[str, Any]] = []
    if "phone_number" in data or require_phone:
        checks.append(("phone_number", lambda: clean_phone(data.get("phone_number"))))
    checks += [(name, functools.partial(clean_text, name, data[name])) for name in TEXT_LIMITS if name in data]
    for name, check in (("timezone", clean_timezone), ("tags", clean_tags), ("custom_variables", clean_variables)):
        if name in data:
            checks.append((name, functools.partial(check, data[name])))
    for name, check in checks:
        try:
            out[name] = check()
        except InvalidInput as exc:
            errors[exc.field or name] = exc.message
    if "phone_number" in out:
        out["phone_number"], out["e164_number"] = out["phone_number"]
    return out, errors


def clean_fields(data: dict[str, Any], *, require_phone: bool) -> dict[str, Any]:
    """Validate the contact fields present in ``data``; -> model field values. Refuses with
    every invalid field at once (``InvalidInput.field_errors``)."""
    out, errors = _clean_all(data, require_phone)
    if errors:
        raise InvalidInput.of_fields(errors)
    return out


def field_errors(data: dict[str, Any], *, require_phone: bool) -> dict[str, str]:
    """What ``clean_fields`` would refuse: field -> message (empty when all is well)."""
    return _clean_all(data, require_phone)[1]
