"""Embedded mode's cache is shared by processes: a lease two processes contend for has one
holder (the webhook drain leases, poll locks and rate limits rely on it)."""
from __future__ import annotations

import subprocess
import sys
import textwrap

from outreach.testing import ROOT
from outreach.testing_embedded import embedded_env, manage

#: Each contender waits for the start signal, then tries to take every lease of the round
#: through the webhook drains' own lease function (one slot per target).
CONTENDER = textwrap.dedent("""
    import os, sys, time
    import django
    django.setup()
    from django.conf import settings
    from webhooks.drains import _acquire
    go = sys.argv[1]
    print("backend", settings.CACHES["default"]["BACKEND"], flush=True)
    while not os.path.exists(go):
        time.sleep(0.005)
    for i in range(int(sys.argv[2])):
        if _acquire(f"e:{i}", 1) is not None:
            print("won", i, flush=True)
""")


def test_two_processes_contending_for_a_lease_in_embedded_mode_get_one_holder(tmp_path):
    manage(tmp_path, "createcachetable")
    targets, contenders = 25, 4
    env = embedded_env(tmp_path, DJANGO_SETTINGS_MODULE="outreach.settings")
    go = tmp_path / "go"
    procs = [
        subprocess.Popen([sys.executable, "-c", CONTENDER, str(go), str(targets)], cwd=ROOT, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for _ in range(contenders)
    ]
    # Start them together once every one has set Django up.
    backends = [proc.stdout.readline() for proc in procs]
    assert all("DatabaseCache" in line for line in backends), backends
    go.touch()
    results = []
    for proc in procs:
        stdout, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, stdout
        results.append(stdout)
    wins = [line.split()[1] for text in results for line in text.splitlines() if line.startswith("won ")]
    assert sorted(wins, key=int) == [str(i) for i in range(targets)], results


def test_migrate_makes_the_cache_table_in_embedded_mode(tmp_path):
    manage(tmp_path, "migrate", "--noinput", "-v0")
    out = manage(tmp_path, "shell", "-c",
                 "from django.core.cache import cache; cache.set('k', 'v'); print(cache.get('k'))",
                 DJANGO_SETTINGS_MODULE="outreach.settings")
    assert out.strip().splitlines()[-1] == "v"
