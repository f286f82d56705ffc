"""Per-key rate limit in the shared cache (Redis in production): a fixed one-minute window.

The numbers are exposed on every response with the IETF ``RateLimit-Policy`` /
``RateLimit`` headers (draft-ietf-httpapi-ratelimit-headers) by
``outreach.middleware.RateLimitHeadersMiddleware``; a refused request gets 429 and
``Retry-After``.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class RateLimitState:
    limit: int
    remaining: int
    reset: int  # seconds until the window ends
    window: int = WINDOW_SECONDS


class ApiKeyRateThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        key = request.auth
        if key is None:
            return True
        limit = key.rate_limit_per_minute or settings.API_RATE_LIMIT_PER_MINUTE
        now = time.time()
        window_start = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
        counter = f"rl:{key.pk}:{window_start}"
        cache.add(counter, 0, WINDOW_SECONDS * 2)
        try:
            count = cache.incr(counter)
        except ValueError:  # expired between add and incr
            cache.set(counter, 1, WINDOW_SECONDS * 2)
            count = 1
        reset = max(1, math.ceil(window_start + WINDOW_SECONDS - now))
        state = RateLimitState(limit=limit, remaining=max(0, limit - count), reset=reset)
        request._request.ratelimit = state
        self._wait = reset
        return count <= limit

    def wait(self) -> float:
        return self._wait
