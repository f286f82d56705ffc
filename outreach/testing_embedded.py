"""Test helpers for embedded mode: the environment ``make run`` sees on a fresh machine (no
database, Redis or broker configured), pointed at a temporary ``var/`` directory."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from .testing import ROOT, free_port, wait_for

#: Variables a user's shell passes through; everything else (the suite's DATABASE_URL,
#: REDIS_URL, CELERY_QUEUE, DJANGO_SETTINGS_MODULE...) is left out, as on a fresh machine.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "CHROMIUM_PATH")


def embedded_env(var_dir: Path, **extra) -> dict[str, str]:
    env = {k: os.environ[k] for k in PASSED_THROUGH if k in os.environ}
    env.update(OUTREACH_VAR_DIR=str(var_dir), PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage(var_dir: Path, *args: str, **extra) -> str:
    """``manage.py <args>`` in embedded mode; returns its output (fails on a non-zero exit)."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=embedded_env(var_dir, **extra),
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


class MakeRun:
    """``make run`` on a free port with its ``var/`` in ``var_dir``: migrate, collectstatic,
    seed the demo, then ``bin/run`` (gunicorn + worker with beat), in a session of its own."""

    def __init__(self, var_dir: Path):
        self.var_dir = var_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = var_dir / "make-run.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> MakeRun:
        venv = Path(sys.prefix)
        with open(self.log, "w") as logf:
            self.proc = subprocess.Popen(
                ["make", "--no-print-directory", "run", f"VENV={venv}"], cwd=ROOT,
                env=embedded_env(self.var_dir, PORT=self.port),
                stdout=logf, stderr=subprocess.STDOUT, start_new_session=True,
            )
        wait_for(lambda: "Press Ctrl-C" in self.output() or self.proc.poll() is not None,
                 timeout=240, interval=0.5, message=f"make run did not start:\n{self.output()}")
        assert self.proc.poll() is None, f"make run exited:\n{self.output()}"
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        """Ctrl-C's signal to the whole group, then SIGKILL to whatever is left of it after a
        grace period (a worker can hang in its shutdown), so nothing outlives the test."""
        if self.proc is None:
            return
        group = self.proc.pid
        _signal_group(group, signal.SIGTERM)
        try:
            wait_for(lambda: not _group_alive(group), timeout=30, interval=0.2)
        except AssertionError:
            _signal_group(group, signal.SIGKILL)
        self.proc.wait(10)


def _signal_group(group: int, sig: int) -> None:
    try:
        os.killpg(group, sig)
    except ProcessLookupError:
        pass


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True
