"""The JSON parser of every API view: bounded depth, and no text PostgreSQL cannot store.

- A body that is not a JSON object (``[]``, ``"x"``, ``1``) is a 400: every endpoint takes
  an object, and views read it as one.
- A body nested deeper than ``API_MAX_JSON_DEPTH`` is a 400 (the standard parser would
  recurse until Python's stack gives out: a 500).
- A string (key or value) holding NUL (``\\u0000``) or an unpaired UTF-16 surrogate
  (``\\ud800`` alone) is refused with 422 (400 in the Sendblue dialect) naming each field
  path, e.g. ``custom_variables.note``: PostgreSQL refuses both in text and jsonb, so they
  would otherwise fail at the database. Paired surrogates (emoji) decode to one character
  and are untouched.
"""
from __future__ import annotations

import json
import re

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

JSON_TYPES = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "true or false"}

#: The characters PostgreSQL's text cannot hold.
FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


def _problem(text: str) -> str | None:
    found = FORBIDDEN.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "Text may not contain the NUL character (\\u0000)."
    return f"Text may not contain an unpaired surrogate (U+{ord(found.group()):04X})."


def _join(path: str, part) -> str:
    return f"{path}.{part}" if path else str(part)


def check(data, max_depth: int | None = None) -> None:
    """Raise ParseError past the depth limit, else ValidationError naming every bad string."""
    max_depth = max_depth or settings.API_MAX_JSON_DEPTH
    errors: dict[str, list[str]] = {}
    stack = [("", data, 0)]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, str):
            problem = _problem(value)
            if problem:
                errors.setdefault(path or "non_field_errors", []).append(problem)
            continue
        if not isinstance(value, (dict, list)):
            continue
        if depth >= max_depth:
            raise ParseError(f"The JSON body is nested more than {max_depth} levels deep.")
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            problem = _problem(key) if isinstance(key, str) else None
            # A bad key is named escaped, so the error itself carries no NUL.
            child = _join(path, key.encode("unicode_escape", "backslashreplace").decode() if problem else key)
            if problem:
                errors.setdefault(child, []).append(f"Field name: {problem}")
            stack.append((child, item, depth + 1))
    if errors:
        raise ValidationError(dict(sorted(errors.items())))


def check_body(data) -> None:
    """A request body: an object, within the depth limit, with storable text."""
    if not isinstance(data, dict):
        raise ParseError(f"The body must be a JSON object ({{...}}), not {JSON_TYPES.get(type(data), 'null')}.")
    check(data)


def loads(raw: bytes | str):
    """``json.loads`` with the checks above, for views that read their body themselves."""
    try:
        data = json.loads(raw)
    except RecursionError:
        raise ParseError(f"The JSON body is nested more than {settings.API_MAX_JSON_DEPTH} levels deep.") from None
    except ValueError as exc:
        raise ParseError(f"The body is not JSON: {exc}.") from None
    check_body(data)
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"The JSON body is nested more than {settings.API_MAX_JSON_DEPTH} levels deep.") from None
        check_body(data)
        return data
