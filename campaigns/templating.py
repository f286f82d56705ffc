"""Message templates: ``Hi {first_name|there}``.

A placeholder names a contact field (``first_name``, ``last_name``, ``full_name``,
``email``, ``company_name``, ``phone``) or a key of the contact's ``custom_variables``,
optionally followed by ``|fallback`` used when the value is missing or empty. ``{{`` and
``}}`` write literal braces.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from outreach.exceptions import InvalidInput

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{\s*([A-Za-z_][\w.-]*)\s*(?:\|([^{}]*))?\}")
FIELDS = ("first_name", "last_name", "full_name", "email", "company_name", "phone")
#: The values a preview uses when the account has no contact yet.
SAMPLE = {
    "first_name": "Alex", "last_name": "Sample", "email": "alex@example.com",
    "company_name": "Example Inc", "e164_number": "+15555550123", "custom_variables": {},
}


def check(template: str, *, field: str = "body") -> None:
    """Refuse a template with a brace that opens or closes no placeholder."""
    rest = PLACEHOLDER.sub("", template)
    if "{" in rest or "}" in rest:
        raise InvalidInput(
            "The template has a stray '{' or '}': write placeholders as {first_name} or "
            "{first_name|fallback}, and literal braces as {{ and }}.",
            field=field,
        )


def variables(contact: Mapping) -> dict[str, str]:
    """A contact (a dict of its columns, as the fan-out streams them) -> template values."""
    first, last = contact.get("first_name") or "", contact.get("last_name") or ""
    values = {str(k): "" if v is None else str(v) for k, v in (contact.get("custom_variables") or {}).items()}
    values.update(
        first_name=first,
        last_name=last,
        full_name=f"{first} {last}".strip(),
        email=contact.get("email") or "",
        company_name=contact.get("company_name") or "",
        phone=contact.get("e164_number") or "",
    )
    return values


def render(template: str, values: Mapping[str, str]) -> str:
    def sub(match: re.Match) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        value = values.get(match.group(1), "")
        if value == "" and match.group(2) is not None:
            return match.group(2)
        return value

    return PLACEHOLDER.sub(sub, template)


def render_for(template: str, contact: Mapping) -> str:
    return render(template, variables(contact))
