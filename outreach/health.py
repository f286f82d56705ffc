"""Probes for load balancers and orchestrators.

``/healthz`` (liveness, cheap): can this process reach the database and the broker.
``/readyz`` (readiness): may this process take traffic -- the database answers, the broker
accepts a connection, and every migration this code knows is applied (a web host started
on new code before ``migrate`` ran says no). Either answers 503 with ``Retry-After`` and a
JSON body naming the failing check; a check's error names the exception class only (never
a URL or a password).
"""
from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .celery import app
from .faults import retry_after

OK = "ok"

#: Set once every migration is applied: applied migrations stay applied for the life of
#: this process's code, so later probes skip loading the migration graph.
_migrated = False


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return OK
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return f"error: {exc.__class__.__name__}"


def check_broker() -> str:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return OK
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"


def check_migrations() -> str:
    global _migrated
    if _migrated:
        return OK
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"
    if pending:
        return f"error: {len(pending)} migrations not applied"
    _migrated = True
    return OK


def _answer(checks: dict[str, str]) -> JsonResponse:
    healthy = all(v == OK for v in checks.values())
    response = JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
    if not healthy:
        response["Retry-After"] = retry_after()
    return response


@require_GET
def healthz(request):
    return _answer({"database": check_database(), "broker": check_broker()})


@require_GET
def readyz(request):
    database = check_database()
    migrations = check_migrations() if database == OK else "error: database unreachable"
    return _answer({"database": database, "broker": check_broker(), "migrations": migrations})
