"""Scale bench: the dispatch pipeline of ``bench/dispatch.py`` (same seed, same sandbox
carrier at zero delay, same checks) drained by 1, 2 and 4 ``celery worker`` processes
(concurrency 1 each) against one PostgreSQL, in one run.

Prints a table: processes, seconds, messages/s, the ratio to the 1-process rate, and the
resident memory of the largest worker process (sampled while it drains). Ends with
``RESULT ratio=<4-process rate / 1-process rate> target=2.5``.

Its own database ``outreach_bench_scale`` and Redis db 14, so it never touches another
bench's rows.

    .venv/bin/python bench/scale.py [--messages 50000] [--processes 1 2 4]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dispatch as bench  # noqa: E402  (the dispatch bench's seed, workers and checks)

DB_NAME = "outreach_bench_scale"
bench.DB_NAME = DB_NAME
bench.DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
bench.ENV.update({"DATABASE_URL": bench.DB_URL, "REDIS_URL": "redis://127.0.0.1:6379/14", "CELERY_QUEUE": "bench_scale"})


def rss_mb(pid: int) -> float:
    """Resident memory of one process, in MB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def tree(pid: int) -> list[int]:
    """``pid`` and its children (a worker's main process and its pool process)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid, *(p for c in children for p in tree(int(c)))]


def drain(n: int, processes: int) -> tuple[float, float]:
    """Seconds to drain ``n`` queued messages with ``processes`` workers, and the largest
    resident set of any worker process seen meanwhile (MB)."""
    from messaging.choices import Status
    from messaging.models import Message
    from messaging.tasks import dispatch

    procs = [bench.start_worker(i) for i in range(processes)]
    peak = 0.0
    try:
        time.sleep(4)  # let the workers boot before the clock starts
        pending = Message.objects.filter(status__in=[Status.QUEUED, Status.ACCEPTED])
        t0 = time.perf_counter()
        dispatch.delay()
        while pending.exists():
            time.sleep(0.25)
            if any(p.poll() is not None for p in procs):
                raise SystemExit("a worker died; see var/bench-dispatch-worker-*.log")
            peak = max([peak, *(rss_mb(pid) for p in procs for pid in tree(p.pid))])
        return time.perf_counter() - t0, peak
    finally:
        for p in procs:
            bench.stop(p)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    bench.setup_django()

    rates: dict[int, float] = {}
    print(f"{'processes':>9} {'seconds':>8} {'msg/s':>8} {'x 1-proc':>8} {'max RSS MB':>10}")
    for processes in args.processes:
        bench.seed(args.messages)
        seconds, peak = drain(args.messages, processes)
        bench.check(args.messages)
        rates[processes] = args.messages / seconds
        ratio = rates[processes] / rates[args.processes[0]]
        print(f"{processes:>9} {seconds:>8.1f} {rates[processes]:>8,.0f} {ratio:>8.2f} {peak:>10.0f}", flush=True)
    first, last = args.processes[0], args.processes[-1]
    print(f"RESULT ratio={rates[last] / rates[first]:.2f} target=2.5")


if __name__ == "__main__":
    main()
