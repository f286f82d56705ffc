"""``/metrics`` in Prometheus' text format (prometheus-client), and the two kinds of metric
behind it.

*Measured* metrics (``counter``/``histogram`` below) are counted by the process that did the
work: API requests by route, status and latency (``MetricsMiddleware``). gunicorn runs several
worker processes, so with ``PROMETHEUS_MULTIPROC_DIR`` set (a directory per host, emptied
before the processes start) every process writes its values there and a scrape adds them up
(prometheus-client's multiprocess mode); without it the answering process reports its own,
which is right for one process (``make run``). Celery tasks by outcome and duration are
measured the same way in the worker's pool processes, and a worker host serves them itself
(``serve_worker_metrics``, ``METRICS_WORKER_PORT``).

*State* metrics are read from the database at scrape time by collectors that apps
register -- webhook deliveries by outcome and endpoint state (``webhooks.metrics``) -- so
they are the same whichever host or process answers, and no process has to stay alive to
keep them. An app adds its own like this::

    from outreach import metrics

    class QueueCollector:
        def collect(self):                 # prometheus-client's custom-collector protocol
            depth = GaugeMetricFamily("outreach_queue_depth", "...", labels=["status", "lane"])
            ...                            # one aggregate query, no per-row work
            yield depth

    metrics.register(QueueCollector())     # in the AppConfig's ready()

Access: ``METRICS_TOKEN`` (``Authorization: Bearer <token>``) or ``METRICS_ALLOWED_NETWORKS``
(client address); with neither set ``/metrics`` is a 404, a caller that is neither a 403.
"""
from __future__ import annotations

import hmac
import ipaddress
import os
import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    start_http_server,
)
from prometheus_client.multiprocess import MultiProcessCollector

from .faults import OUTAGE_ERRORS, retry_after

_measured: list = []
_collectors: list = []


def counter(name: str, documentation: str, labelnames=()) -> Counter:
    """A counter this process increments (summed over processes in multiprocess mode)."""
    metric = Counter(name, documentation, labelnames, registry=None)
    _measured.append(metric)
    return metric


def histogram(name: str, documentation: str, labelnames=(), buckets=Histogram.DEFAULT_BUCKETS) -> Histogram:
    """A histogram this process observes (merged over processes in multiprocess mode)."""
    metric = Histogram(name, documentation, labelnames, registry=None, buckets=buckets)
    _measured.append(metric)
    return metric


def register(collector) -> None:
    """Add a collector queried at every scrape (its ``collect()`` yields metric families)."""
    if collector not in _collectors:
        _collectors.append(collector)


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def scrape() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess():
        MultiProcessCollector(registry)
    else:
        for metric in _measured:
            registry.register(metric)
    for collector in _collectors:
        registry.register(collector)
    return generate_latest(registry)


API_REQUESTS = counter(
    "outreach_http_requests", "HTTP requests answered, by route, method and status.", ["route", "method", "status"]
)
API_LATENCY = histogram(
    "outreach_http_request_duration_seconds", "Time to answer an HTTP request, by route and method.",
    ["route", "method"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


TASKS = counter("outreach_celery_tasks", "Celery tasks run, by task and outcome.", ["task", "outcome"])
TASK_SECONDS = histogram(
    "outreach_celery_task_duration_seconds", "Time a Celery task ran, by task.", ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300),
)
_task_started: dict[str, float] = {}


def task_started(task_id=None, **kwargs) -> None:
    """Celery ``task_prerun``."""
    _task_started[str(task_id)] = time.perf_counter()


def task_finished(task_id=None, task=None, state=None, **kwargs) -> None:
    """Celery ``task_postrun``: count the task under its outcome (SUCCESS, FAILURE, RETRY...)."""
    started = _task_started.pop(str(task_id), None)
    name = getattr(task, "name", "unknown")
    TASKS.labels(name, state or "UNKNOWN").inc()
    if started is not None:
        TASK_SECONDS.labels(name).observe(time.perf_counter() - started)


def serve_worker_metrics(**kwargs) -> None:
    """Celery ``worker_init``: with ``METRICS_WORKER_PORT`` set, the worker's main process
    serves what its pool processes measured (read from ``PROMETHEUS_MULTIPROC_DIR``) on
    ``METRICS_WORKER_ADDRESS:METRICS_WORKER_PORT``, for hosts that run no web process. It has
    no token: bind it to an address only Prometheus reaches."""
    if not settings.METRICS_WORKER_PORT:
        return
    if not multiprocess():
        raise ImproperlyConfigured("METRICS_WORKER_PORT needs PROMETHEUS_MULTIPROC_DIR (the pool's values live there).")
    registry = CollectorRegistry(auto_describe=False)
    MultiProcessCollector(registry)
    start_http_server(settings.METRICS_WORKER_PORT, settings.METRICS_WORKER_ADDRESS, registry=registry)


class MetricsMiddleware:
    """Counts and times every request under its URL pattern (``api/v1/contacts/<uuid:pk>``,
    never the raw path, so ids do not multiply the series)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.route or match.view_name) if match else "unmatched"
        API_REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        API_LATENCY.labels(route, request.method).observe(time.perf_counter() - started)
        return response


def _allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_NETWORKS)


@require_GET
def metrics_view(request):
    if not (settings.METRICS_TOKEN or settings.METRICS_ALLOWED_NETWORKS):
        raise Http404
    if not _allowed(request):
        return HttpResponseForbidden("Not allowed to read metrics.\n", content_type="text/plain")
    try:
        body = scrape()
    except OUTAGE_ERRORS:
        response = HttpResponse("The database is unreachable; retry shortly.\n", status=503, content_type="text/plain")
        response["Retry-After"] = retry_after()
        return response
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
