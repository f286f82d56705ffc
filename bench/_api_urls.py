"""The API bench's URLs: the product's plus one minimal view, the simplest fast way to do
what a send does at its core (``bench/api.py``). Not part of the product."""
from __future__ import annotations

from django.db import connection
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from outreach.choices import Family
from outreach.wakeups import publish

TABLE = "bench_minimal_send"


class MinimalSend(APIView):
    """The same key authentication, scope check and throttle as the send path (the
    defaults), then one INSERT and one wake-up published."""

    scope_family = Family.MESSAGES

    def post(self, request):
        number = str(request.data.get("number", ""))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} (account_id, number, content) VALUES (%s, %s, %s) RETURNING id",
                [request.auth.account_id, number, str(request.data.get("content", ""))],
            )
            row_id = cursor.fetchone()[0]
        publish("messaging.tasks.dispatch")
        return Response({"id": row_id, "number": number, "status": "QUEUED"})


urlpatterns = [path("bench/minimal-send", MinimalSend.as_view()), path("", include("outreach.urls"))]
