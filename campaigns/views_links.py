"""``/l/<code>``: a tracked link's redirect (public: whoever got the message follows it)."""
from __future__ import annotations

from django.http import Http404, HttpResponseRedirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import links


@require_safe
@never_cache
def follow(request, code: str):
    link = links.follow(code, user_agent=request.headers.get("User-Agent", ""), method=request.method)
    if link is None:
        raise Http404("No such link.")
    response = HttpResponseRedirect(link.url)  # 302, to the target fixed when the message was made
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
