"""Request middleware: the console's current account, and rate-limit headers."""
from __future__ import annotations

SESSION_ACCOUNT_KEY = "account_id"


def _current_membership(request):
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = user.memberships.select_related("account").order_by("account__name")
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
