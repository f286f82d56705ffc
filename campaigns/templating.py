"""Message templates: ``Hi {first_name|there}``.

A placeholder names a contact field (``first_name``, ``last_name``, ``full_name``,
``email``, ``company_name``, ``phone``) or a key of the contact's ``custom_variables``,
optionally followed by ``|fallback`` used when the value is missing or empty. ``{{`` and
``}}`` write literal braces.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from outreach.exceptions import InvalidInput

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{\s*([A-Za-z_][\w.-]*)\s*(?:\|([^{}]*))?\}")
FIELDS = ("first_name", "last_name", "full_name", "email", "company_name", "phone")
#: The values a preview uses when the account has no contact yet.
SAMPLE = {
    "first_name": "Alex", "last_name": "Sample", "email": "alex@example.com",
    "company_name": "Example Inc", "e164_number": "+15555550123", "custom_variables": {},
}


#: ``{{ first_name }}``, the syntax of other tools: here it would send literal braces.
DOUBLE = re.compile(r"\{\{\s*([A-Za-z_][\w.-]*)\s*(?:\|[^{}]*)?\}\}")


def check(template: str, *, field: str = "body", known: set[str] | None = None) -> None:
    """Refuse a template with every problem at once, each with its position (characters
    from 1): a ``{{ name }}`` placeholder, a brace that opens or closes no placeholder, and
    (given ``known``, the account's custom variable names) a name no contact has, unless it
    has a fallback."""
    problems = [
        f"at {m.start() + 1}: {m.group(0)!r} would send braces; write {{{m.group(1)}}}"
        for m in DOUBLE.finditer(template)
    ]
    doubled = {i for m in DOUBLE.finditer(template) for i in range(m.start(), m.end())}
    covered = set(doubled)
    for match in PLACEHOLDER.finditer(template):
        covered.update(range(match.start(), match.end()))
        name = match.group(1)
        unknown = known is not None and name not in FIELDS and name not in known
        # With a fallback the author expects it missing: ``{offer|10% off}`` is deliberate.
        if name and match.start() not in doubled and unknown and match.group(2) is None:
            problems.append(
                f"at {match.start() + 1}: {{{name}}} is no contact field ({', '.join(FIELDS)}) "
                f"and no contact has a custom variable of that name (or give a fallback: {{{name}|...}})"
            )
    strays = [i for i, c in enumerate(template) if c in "{}" and i not in covered]
    if strays:
        problems.append(
            f"at {', '.join(str(i + 1) for i in strays[:5])}: a stray '{{' or '}}' (placeholders are "
            "{first_name} or {first_name|fallback}; literal braces are {{ and }})"
        )
    if problems:
        raise InvalidInput("The template has problems " + "; ".join(problems) + ".", field=field)


#: Contact columns (as the fan-out streams them) behind each field placeholder.
FIELD_COLUMNS = {
    "first_name": ("first_name",), "last_name": ("last_name",), "full_name": ("first_name", "last_name"),
    "email": ("email",), "company_name": ("company_name",), "phone": ("e164_number",),
}


def compile_template(template: str) -> Callable[[Mapping], str]:
    """``render_for`` for one template and many contacts: the template parsed once, and
    only the values it names looked up per contact. The function's ``columns`` are the
    contact columns it reads (``custom_variables`` only if it names other keys)."""
    parts: list[str | tuple[str, str | None]] = []
    last = 0
    for match in PLACEHOLDER.finditer(template):
        parts.append(template[last:match.start()])
        token = match.group(0)
        if token in ("{{", "}}"):
            parts.append(token[0])
        else:
            parts.append((match.group(1), match.group(2)))
        last = match.end()
    parts.append(template[last:])
    names = {p[0] for p in parts if isinstance(p, tuple)}
    columns = {column for name in names for column in FIELD_COLUMNS.get(name, ("custom_variables",))}

    def value(contact: Mapping, name: str) -> str:
        if name == "full_name":
            return f"{contact.get('first_name') or ''} {contact.get('last_name') or ''}".strip()
        if name in FIELD_COLUMNS:
            return contact.get(FIELD_COLUMNS[name][0]) or ""
        found = (contact.get("custom_variables") or {}).get(name)
        return "" if found is None else str(found)

    def render_one(contact: Mapping) -> str:
        out = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                continue
            text = value(contact, part[0])
            out.append(part[1] if text == "" and part[1] is not None else text)
        return "".join(out)

    render_one.columns = frozenset(columns)
    return render_one


def render_for(template: str, contact: Mapping) -> str:
    """One contact (a dict of its columns) through ``template``."""
    return compile_template(template)(contact)
