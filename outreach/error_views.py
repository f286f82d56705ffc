"""Django's error handlers (``handler400/403/404/500`` in ``outreach.urls``).

Under ``/api/`` every error answers JSON in the path's dialect (``outreach.api.errors``),
never Django's HTML page. Anywhere, an outage of PostgreSQL or Redis (``outreach.faults``)
is a 503 with ``Retry-After``: JSON for the API, a page of its own for the console (it
renders without the database, so it cannot fail the same way).

The console's pages are ``templates/400.html``, ``403.html``, ``404.html`` (in the console's
layout, with its menu for a logged-in user) and ``500.html`` (standalone: it renders without
a request or the database). Django calls these only with ``DEBUG`` off, which is the default,
``make run`` included; with it on it shows its debug pages instead.
"""
from __future__ import annotations

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

from outreach import faults
from outreach.api.errors import dialect_of, error_body, too_large_message


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def api_error(request, status_code: int, message: str, *, error_code: int | None = 4000,
              headers: dict | None = None, view=None) -> JsonResponse:
    body = error_body(dialect_of(request, view), status_code, message, error_code=error_code)
    return JsonResponse(body, status=status_code, headers=headers)


def outage(request) -> HttpResponse:
    headers = {"Retry-After": faults.retry_after()}
    if is_api(request):
        return api_error(request, 503, faults.OUTAGE_MESSAGE, error_code=5000, headers=headers)
    html = loader.render_to_string("503.html", {"retry_after": faults.retry_after()})
    return HttpResponse(html, status=503, headers=headers)


def bad_request(request, exception):
    if not is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return api_error(request, 413, too_large_message(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
    return api_error(request, 400, "Bad request.")


def permission_denied(request, exception):
    if not is_api(request):
        return defaults.permission_denied(request, exception)
    return api_error(request, 403, "You do not have permission to perform this action.")


def not_found(request, exception):
    if not is_api(request):
        return defaults.page_not_found(request, exception)
    return api_error(request, 404, f"Not found: {request.path} is no API endpoint or object.")


def server_error(request):
    exc = sys.exc_info()[1]
    if faults.is_outage(exc):
        return outage(request)
    if is_api(request):
        return api_error(request, 500, "Internal server error.", error_code=5000)
    return defaults.server_error(request)
