"""Where a single send's time goes: ``POST /api/send-message`` made ``--requests`` times
in one process through Django's test client (the whole middleware, authentication,
throttle, idempotency and send path, wake-ups published to Redis), under cProfile.

Prints the top entries by own time and by cumulative time (``docs/performance.md``
quotes them), then ``RESULT ratio=<ms per send / ms per minimal send> target=2`` where the
minimal send is ``bench/_api_urls.py``'s view (same authentication, one INSERT, one
wake-up) profiled the same way. Uses the API bench's database and Redis db.

    .venv/bin/python bench/profile_send.py [--requests 2000] [--top 25]
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import api  # noqa: E402  (the API bench's world: database, Redis db, seed, minimal view)


def drive(client, path: str, headers: dict, body: str, n: int, area: int) -> float:
    t0 = time.perf_counter()
    for i in range(n):
        response = client.post(path, body % (area * 10_000_000 + 2_000_000 + i), content_type="application/json",
                               headers=headers)
        assert response.status_code == 200, response.content
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "_api_settings"
    api.ENV["DJANGO_SETTINGS_MODULE"] = "_api_settings"
    api._setup.setup_django(api.ENV, api.DB_NAME, flush_redis=True)
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    auth = api.seed()["sendblue"]
    client = Client()
    drive(client, "/api/send-message", auth, api.BODIES["sendblue"], 50, 305)  # warm caches and imports

    minimal_s = drive(client, "/bench/minimal-send", auth, api.BODIES["sendblue"], args.requests, 415)
    profile = cProfile.Profile()
    profile.enable()
    send_s = drive(client, "/api/send-message", auth, api.BODIES["sendblue"], args.requests, 512)
    profile.disable()
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
        print(f"--- top {args.top} by {order}")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[-6000:])
    # The profile slows the send; time it again unprofiled for the ratio.
    send_s = drive(client, "/api/send-message", auth, api.BODIES["sendblue"], args.requests, 646)
    per_send, per_minimal = 1000 * send_s / args.requests, 1000 * minimal_s / args.requests
    print(f"send-message {per_send:.2f} ms, minimal send {per_minimal:.2f} ms (one process, no concurrency)")
    print(f"RESULT ratio={per_send / per_minimal:.2f} target=2")


if __name__ == "__main__":
    main()
