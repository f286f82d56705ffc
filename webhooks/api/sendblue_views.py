"""Sendblue-compatible ``/api/account/webhooks``: list, add, replace, delete by URL."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from outreach.choices import Family

from .. import sendblue
from .serializers import (
    SendblueAddSerializer,
    SendblueDeleteSerializer,
    SendblueReplaceSerializer,
    SendblueResponseSerializer,
    SendblueWebhooksErrorSerializer,
)

TAGS = ["sendblue"]
ERRORS = {400: OpenApiResponse(SendblueWebhooksErrorSerializer, description="Invalid body; error_message says why.")}


def _answer(account, message: str | None = None) -> Response:
    body = {"status": "OK"}
    if message:
        body["message"] = message
    body["webhooks"] = sendblue.config(account)
    return Response(body)


class AccountWebhooksView(APIView):
    scope_family = Family.WEBHOOKS
    dialect = "sendblue"

    def _data(self, serializer_class, request) -> dict:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(tags=TAGS, responses={200: SendblueResponseSerializer})
    def get(self, request):
        """The account's webhook URLs by type (secrets are not listed)."""
        return _answer(request.auth.account)

    @extend_schema(tags=TAGS, request=SendblueAddSerializer, responses={200: SendblueResponseSerializer, **ERRORS})
    def post(self, request):
        """Append webhooks of one `type` (default `receive`); each a URL or `{url, secret}`."""
        data = self._data(SendblueAddSerializer, request)
        sendblue.add(request.auth.account, data["type"], data["webhooks"], data.get("globalSecret"))
        return _answer(request.auth.account, "Webhooks added successfully")

    @extend_schema(tags=TAGS, request=SendblueReplaceSerializer, responses={200: SendblueResponseSerializer, **ERRORS})
    def put(self, request):
        """Replace the whole configuration; URLs left out are removed."""
        data = self._data(SendblueReplaceSerializer, request)
        sendblue.replace(request.auth.account, data["webhooks"])
        return _answer(request.auth.account, "Webhooks updated successfully")

    @extend_schema(
        tags=TAGS, request=SendblueDeleteSerializer,
        responses={200: SendblueResponseSerializer, 404: OpenApiResponse(SendblueWebhooksErrorSerializer), **ERRORS},
    )
    def delete(self, request):
        """Remove webhooks by URL (`webhook_urls`), from one `type` when given."""
        data = self._data(SendblueDeleteSerializer, request)
        urls = data.get("webhook_urls") or data.get("webhooks") or []
        sendblue.remove(request.auth.account, urls, data.get("type"))
        return _answer(request.auth.account, "Webhooks deleted successfully")
