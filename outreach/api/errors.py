"""Errors in each dialect.

- v1: ``{"detail": "..."}``; validation failures are 422 and add ``errors`` (field -> messages);
  a body that is not JSON, or a bad query parameter, is 400.
- Sendblue: ``{"status": "ERROR", "error_code": 4000, "error_message": "..."}``; validation
  failures are 400 (as Sendblue answers them), rate limits 429 with ``error_code`` 4001.

A view opts into the Sendblue shape with ``dialect = "sendblue"``; outside a view (an
unknown path, an error in a middleware) the path decides: ``/api/v1/...`` is v1, any
other ``/api/...`` path Sendblue.

Whatever the dialect, a body over the endpoint's limit is 413, and an outage of
PostgreSQL or Redis is 503 with ``Retry-After`` (``outreach.faults``), never a 500.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from outreach import faults
from outreach.exceptions import OutreachError

logger = logging.getLogger(__name__)

SENDBLUE = "sendblue"
V1 = "v1"


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def too_large_message(limit: int, length: int | None = None) -> str:
    got = f"The body is {length:,} bytes; " if length else "The body is too large; "
    return f"{got}this endpoint accepts at most {limit:,} bytes."


def dialect_of(request, view=None) -> str:
    """The error shape a request gets: its view's ``dialect``, else its path's."""
    if view is None:
        match = getattr(request, "resolver_match", None)
        func = match.func if match else None
        view = getattr(func, "view_class", None) or getattr(func, "cls", None)
    dialect = getattr(view, "dialect", None)
    if dialect:
        return dialect
    return V1 if request.path.startswith("/api/v1/") else SENDBLUE


def error_body(dialect: str, status_code: int, message: str, *, error_code: int | None = 4000,
               errors: dict | None = None) -> dict:
    if dialect == SENDBLUE:
        if status_code in (401, 403, 404):
            error_code = None
        return {"status": "ERROR", "error_code": error_code, "error_message": message}
    body: dict = {"detail": message}
    if errors:
        body["errors"] = errors
    return body


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
    dialect = getattr(view, "dialect", V1)
    headers: dict[str, str] = {}
    errors: dict[str, list[str]] | None = None
    error_code = 4000

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, OutreachError):
        status_code, message, error_code = exc.status_code, exc.message, exc.error_code
        errors = exc.field_errors or None
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
    elif isinstance(exc, RequestDataTooBig):
        status_code, message = 413, too_large_message(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    elif faults.is_outage(exc):
        logger.warning("Outage in %s: %r", view.__class__.__name__ if view else "API", exc)
        status_code, message, error_code = 503, faults.OUTAGE_MESSAGE, 5000
        headers["Retry-After"] = faults.retry_after()
    else:
        logger.exception("Unhandled error in %s", view.__class__.__name__ if view else "API")
        status_code, message, error_code = 500, "Internal server error.", 5000

    set_rollback()
    if dialect == SENDBLUE and status_code == 422 and not getattr(exc, "keep_status", False):
        status_code = 400
    body = error_body(dialect, status_code, message, error_code=error_code, errors=errors)
    return Response(body, status=status_code, headers=headers)
