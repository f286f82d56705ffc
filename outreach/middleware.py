"""Request middleware: the console's current account and role checks, API body limits,
rate-limit headers, JSON errors under ``/api/``."""
from __future__ import annotations

from http import HTTPStatus

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseNotAllowed
from django.shortcuts import render

from outreach.api.errors import too_large_message
from outreach.error_views import api_error, is_api
from outreach.roles import PUBLIC, PUBLIC_NAMESPACES, RULES, SAFE_METHODS, allowed

SESSION_ACCOUNT_KEY = "account_id"


def _current_membership(request):
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = (
        user.memberships.filter(deactivated_at__isnull=True)
        .select_related("account").order_by("account__name")
    )
    wanted = request.session.get(SESSION_ACCOUNT_KEY)
    if wanted:
        chosen = memberships.filter(account_id=wanted).first()
        if chosen:
            return chosen
    return memberships.first()


class CurrentAccountMiddleware:
    """Sets ``request.membership`` and ``request.account`` (None when not a member).

    API requests skip it: there the key decides the account.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            request.membership = request.account = None
        else:
            request.membership = _current_membership(request)
            request.account = request.membership.account if request.membership else None
        return self.get_response(request)


def forbidden(request, reason: str):
    """The designed 403: the console's page, or for an htmx request a fragment put at the top
    of the page's main column (base.html lets htmx swap a 403)."""
    if not getattr(request, "htmx", False):
        return render(request, "console/forbidden.html", {"reason": reason}, status=403)
    response = render(request, "console/_forbidden.html", {"reason": reason}, status=403)
    response["HX-Retarget"] = "#main"
    response["HX-Reswap"] = "afterbegin"
    return response


class RoleMiddleware:
    """Every console view runs only for a member whose role the URL's rule admits
    (``outreach.roles``). The API (DRF views, judged by key scopes), Django's admin and the
    ``PUBLIC`` names are left to their own checks; any other URL without a rule is refused."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if is_api(request) or match is None or hasattr(view_func, "cls"):
            return None
        name = match.view_name
        if name in PUBLIC or match.namespaces[:1] and match.namespaces[0] in PUBLIC_NAMESPACES:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.membership is None:
            return render(request, "console/no_account.html", status=403)
        rule = RULES.get(name)
        if rule is None:
            return forbidden(request, "This page has no rule saying who may open it, so no one may.")
        if (rule.read if request.method in SAFE_METHODS else rule.write) is None:
            return HttpResponseNotAllowed([m for m, r in (("GET", rule.read), ("POST", rule.write)) if r])
        if not allowed(request.membership.role, name, request.method):
            role = request.membership.get_role_display().lower()
            what = "open this page" if request.method in SAFE_METHODS else "do this"
            return forbidden(request, f"Your role in {request.account.name} ({role}) may not {what}. "
                                      "Ask an owner of the account if you need it.")
        return None


class RateLimitHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        state = getattr(request, "ratelimit", None)
        if state is not None:
            response["RateLimit-Policy"] = f'"default";q={state.limit};w={state.window}'
            response["RateLimit"] = f'"default";r={state.remaining};t={state.reset}'
        return response


class ApiBodyLimitMiddleware:
    """An API body over its endpoint's limit is a 413, refused from ``Content-Length``
    before a byte of it is read or parsed.

    The limit is ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (multipart uploads excepted: Django bounds
    their fields and spools their files); a view that documents another one (bulk jobs)
    names its setting in ``max_body_setting``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path.startswith("/api/"):
            return None
        view = getattr(view_func, "view_class", None) or getattr(view_func, "cls", None)
        setting = getattr(view, "max_body_setting", None)
        if setting is None and request.content_type == "multipart/form-data":
            # Django streams uploaded files to disk and bounds the other fields itself;
            # the view judges the file's size.
            return None
        limit = getattr(settings, setting or "DATA_UPLOAD_MAX_MEMORY_SIZE")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return api_error(request, 400, "Content-Length must be a whole number.", view=view)
        if length > limit:
            return api_error(request, 413, too_large_message(limit, length), view=view)
        return None


class ApiJsonErrorsMiddleware:
    """Under ``/api/`` every error is JSON in the path's dialect, whoever answered it.

    DRF views and ``outreach.error_views`` already answer JSON; this catches the rest: a
    405 from the schema or docs pages (YAML, HTML), or any middleware's plain answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not is_api(request):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        return self._as_json(request, response)

    @staticmethod
    def _as_json(request, response):
        status = response.status_code
        try:
            message = f"{HTTPStatus(status).phrase}."
        except ValueError:
            message = "Error."
        if status == 405:
            message = f"Method {request.method} is not allowed here; allowed: {response.get('Allow', 'none')}."
        keep = {h: response[h] for h in ("Allow", "Retry-After") if response.has_header(h)}
        return api_error(request, status, message, error_code=5000 if status >= 500 else 4000, headers=keep)
