"""Errors in each dialect.

- v1: ``{"detail": "..."}``; validation failures are 422 and add ``errors`` (field -> messages);
  a body that is not JSON, or a bad query parameter, is 400.
- Sendblue: ``{"status": "ERROR", "error_code": 4000, "error_message": "..."}``; validation
  failures are 400 (as Sendblue answers them), rate limits 429 with ``error_code`` 4001.

A view opts into the Sendblue shape with ``dialect = "sendblue"``.
"""
from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from outreach.exceptions import OutreachError

logger = logging.getLogger(__name__)

SENDBLUE = "sendblue"


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF error detail -> {"field" or "field.0.sub": [messages]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for k, v in _flatten(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(d, (dict, list)) for d in detail):
            out[prefix or "non_field_errors"] = [str(d) for d in detail]
        else:
            for i, value in enumerate(detail):
                if value:
                    for k, v in _flatten(value, f"{prefix}.{i}" if prefix else str(i)).items():
                        out.setdefault(k, []).extend(v)
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def _summary(errors: dict[str, list[str]]) -> str:
    parts = []
    for field, messages in errors.items():
        text = " ".join(messages)
        parts.append(text if field == "non_field_errors" else f"{field}: {text}")
    return "; ".join(parts)


def exception_handler(exc, context):
    view = context.get("view")
    dialect = getattr(view, "dialect", "v1")
    headers: dict[str, str] = {}
    errors: dict[str, list[str]] | None = None
    error_code = 4000

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, OutreachError):
        status_code, message, error_code = exc.status_code, exc.message, exc.error_code
        if exc.field:
            errors = {exc.field: [exc.message]}
    elif isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        status_code, message = status.HTTP_422_UNPROCESSABLE_ENTITY, _summary(errors)
    elif isinstance(exc, exceptions.APIException):
        status_code, message = exc.status_code, str(exc.detail)
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        if isinstance(exc, exceptions.Throttled):
            error_code = 4001
            message = f"Rate limit exceeded; retry in {headers.get('Retry-After', '60')} seconds."
    else:
        logger.exception("Unhandled error in %s", view.__class__.__name__ if view else "API")
        status_code, message, error_code = 500, "Internal server error.", 5000

    set_rollback()
    if dialect == SENDBLUE:
        if status_code == 422 and not getattr(exc, "keep_status", False):
            status_code = 400
        body = {"status": "ERROR", "error_code": error_code, "error_message": message}
        if status_code in (401, 403, 404):
            body["error_code"] = None
    else:
        body = {"detail": message}
        if errors:
            body["errors"] = errors
    return Response(body, status=status_code, headers=headers)
