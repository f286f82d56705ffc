"""The one route every provider's network calls back on:
``/messages/providers/<name>/<line id>/<token>/`` (after anymail's ``webhooks/base.py``).

Networks do not sign their callbacks alike (BlueBubbles not at all), so each line has its
own unguessable token in the URL, checked by its provider in constant time
(``accepts_callback``). CSRF-exempt (a server posts here, not a browser), POST only; an
unknown line, provider or token is the same 404 (the URL reveals nothing), and a body
that is not the network's shape is a 400 saying why. The provider parses the events;
``services.reports.apply_events`` applies them with the provider's policy hooks.
"""
from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from outreach.exceptions import InvalidInput

from .models import Line
from .providers.base import BadCallback
from .providers.registry import PROVIDERS, provider_for
from .services.reports import apply_events


@csrf_exempt
@require_POST
def provider_callback(request, name: str, line_id: int, token: str):
    line = None
    if name in PROVIDERS:
        line = Line.objects.select_related("account").filter(pk=line_id, provider=name).first()
    provider = provider_for(line) if line is not None else None
    if provider is None or not provider.accepts_callback(token):
        return JsonResponse({"detail": "Unknown webhook URL."}, status=404)
    try:
        events = provider.parse_callback(request)
        applied = apply_events(line, events, provider)
    except BadCallback as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    except InvalidInput as exc:
        # e.g. a sender address that is neither a phone number nor an email
        return JsonResponse({"detail": exc.message}, status=400)
    return JsonResponse({"received": len(events), "applied": applied})
