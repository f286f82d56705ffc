"""The v1 webhooks API: endpoints, their deliveries, replay, test ping, secret rotation.

Views check shapes and call the services; every lookup is scoped to the key's account.
"""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from outreach.api.base import AccountScoped
from outreach.api.pagination import BadQuery
from outreach.choices import Family

from .. import services
from ..choices import DeliveryStatus
from ..models import Delivery, Endpoint
from .serializers import (
    AccountSecretSerializer,
    DeliverySerializer,
    EndpointSerializer,
    EndpointWithSecretSerializer,
    EndpointWriteSerializer,
    ReplayResultSerializer,
    ReplaySinceSerializer,
    RotateSerializer,
    WebhookErrorSerializer,
)

TAGS = ["webhooks"]
ERRORS = {
    404: OpenApiResponse(WebhookErrorSerializer, description="Not found (or another account's)."),
    422: OpenApiResponse(WebhookErrorSerializer, description="Validation failed; `errors` says where."),
}
CONFLICT = {409: OpenApiResponse(WebhookErrorSerializer, description="Not in a state that allows this.")}


def _valid(serializer_class, request, *, partial: bool = False) -> dict:
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class EndpointsView(AccountScoped, generics.ListAPIView):
    scope_family = Family.WEBHOOKS
    queryset = Endpoint.objects.all()
    serializer_class = EndpointSerializer

    @extend_schema(tags=TAGS)
    def get(self, request, *args, **kwargs):
        """A page of the account's webhook endpoints (secrets are never listed)."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS, request=EndpointWriteSerializer,
        responses={201: EndpointWithSecretSerializer, 422: ERRORS[422]},
    )
    def post(self, request):
        """Add an endpoint. The response carries its signing secret: the only time it is shown."""
        data = _valid(EndpointWriteSerializer, request)
        if "enabled" in data:
            data.pop("enabled")
        endpoint = services.create_endpoint(
            self.account, data.pop("url"), **{k: v for k, v in data.items() if k != "url"}
        )
        return Response(EndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class EndpointView(APIView):
    scope_family = Family.WEBHOOKS

    @extend_schema(tags=TAGS, responses={200: EndpointSerializer, 404: ERRORS[404]})
    def get(self, request, pk: int):
        return Response(EndpointSerializer(services.get_endpoint(request.auth.account, pk)).data)

    def _update(self, request, pk: int, partial: bool):
        data = _valid(EndpointWriteSerializer, request, partial=partial)
        if "secret" in data:
            return Response(
                {"detail": "secret cannot be set on an existing endpoint; rotate it instead.",
                 "errors": {"secret": ["Use POST /api/v1/webhooks/{id}/rotate-secret."]}},
                status=422,
            )
        if not partial:
            data.setdefault("description", "")
            data.setdefault("event_types", [])
        endpoint = services.update_endpoint(request.auth.account, pk, **data)
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(tags=TAGS, request=EndpointWriteSerializer, responses={200: EndpointSerializer, **ERRORS})
    def put(self, request, pk: int):
        """Replace url, description and event types (absent ones reset to empty/all)."""
        return self._update(request, pk, partial=False)

    @extend_schema(tags=TAGS, request=EndpointWriteSerializer, responses={200: EndpointSerializer, **ERRORS})
    def patch(self, request, pk: int):
        """Change some fields; `enabled: true` re-enables a disabled endpoint and clears the reason."""
        return self._update(request, pk, partial=True)

    @extend_schema(tags=TAGS, responses={204: None, 404: ERRORS[404]})
    def delete(self, request, pk: int):
        """Delete the endpoint and its delivery log."""
        services.delete_endpoint(request.auth.account, pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliveriesView(AccountScoped, generics.ListAPIView):
    scope_family = Family.WEBHOOKS
    queryset = Delivery.objects.all()
    serializer_class = DeliverySerializer

    def get_queryset(self):
        endpoint = services.get_endpoint(self.account, self.kwargs["pk"])
        qs = super().get_queryset().filter(endpoint=endpoint).select_related("event")
        wanted = self.request.query_params.get("status")
        if wanted:
            if wanted not in DeliveryStatus.values:
                raise BadQuery(f"status must be one of {', '.join(DeliveryStatus.values)}, got {wanted!r}.")
            qs = qs.filter(status=wanted)
        return qs.prefetch_related("attempt_log")

    @extend_schema(
        tags=TAGS,
        parameters=[OpenApiParameter("status", str, enum=DeliveryStatus.values, description="Only this status.")],
        responses={200: DeliverySerializer(many=True), 404: ERRORS[404]},
    )
    def get(self, request, *args, **kwargs):
        """The endpoint's deliveries, newest first, each with its attempts."""
        return super().get(request, *args, **kwargs)


class ReplayDeliveryView(APIView):
    scope_family = Family.WEBHOOKS

    @extend_schema(tags=TAGS, request=None, responses={202: DeliverySerializer, **ERRORS, **CONFLICT})
    def post(self, request, pk: int, delivery_pk: int):
        """Deliver again: same body and webhook-id, a fresh retry schedule."""
        account = request.auth.account
        endpoint = services.get_endpoint(account, pk)
        if not Delivery.objects.filter(account=account, endpoint=endpoint, pk=delivery_pk).exists():
            from outreach.exceptions import NotFound

            raise NotFound("Webhook delivery not found.")
        delivery = services.replay_delivery(account, delivery_pk)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class ReplayFailedView(APIView):
    scope_family = Family.WEBHOOKS

    @extend_schema(
        tags=TAGS, request=ReplaySinceSerializer, responses={202: ReplayResultSerializer, **ERRORS, **CONFLICT},
        operation_id="v1_webhooks_endpoint_replay_failed",
    )
    def post(self, request, pk: int):
        """Replay every failed delivery of this endpoint created since `since`."""
        account = request.auth.account
        services.get_endpoint(account, pk)
        data = _valid(ReplaySinceSerializer, request)
        count = services.replay_failed(account, data["since"], endpoint_pk=pk)
        return Response({"replayed": count}, status=status.HTTP_202_ACCEPTED)


class ReplayAllFailedView(APIView):
    scope_family = Family.WEBHOOKS

    @extend_schema(
        tags=TAGS, request=ReplaySinceSerializer, responses={202: ReplayResultSerializer, 422: ERRORS[422]},
        operation_id="v1_webhooks_replay_failed",
    )
    def post(self, request):
        """Replay every failed delivery of the account created since `since`: all enabled
        endpoints and the `status_callback` URLs."""
        data = _valid(ReplaySinceSerializer, request)
        count = services.replay_failed(request.auth.account, data["since"])
        return Response({"replayed": count}, status=status.HTTP_202_ACCEPTED)


class TestPingView(APIView):
    scope_family = Family.WEBHOOKS

    @extend_schema(tags=TAGS, request=None, responses={202: DeliverySerializer, **ERRORS, **CONFLICT})
    def post(self, request, pk: int):
        """Send a `webhook.test` event to this endpoint now (422 if its URL is now refused,
        e.g. its host resolves to a private address)."""
        account = request.auth.account
        delivery = services.send_test(account, services.get_endpoint(account, pk))
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class RotateSecretView(APIView):
    scope_family = Family.WEBHOOKS

    @extend_schema(tags=TAGS, request=RotateSerializer, responses={200: EndpointWithSecretSerializer, **ERRORS})
    def post(self, request, pk: int):
        """A new secret; the old one keeps signing (a second signature) for `grace_hours`."""
        account = request.auth.account
        services.get_endpoint(account, pk)
        data = _valid(RotateSerializer, request)
        endpoint = services.rotate_endpoint_secret(account, pk, data.get("grace_hours"))
        return Response(EndpointWithSecretSerializer(endpoint).data)


class RotateAccountSecretView(APIView):
    scope_family = Family.WEBHOOKS

    @extend_schema(tags=TAGS, request=RotateSerializer, responses={200: AccountSecretSerializer, 422: ERRORS[422]})
    def post(self, request):
        """Rotate the account's default secret (it signs deliveries to `status_callback` URLs)."""
        data = _valid(RotateSerializer, request)
        obj = services.rotate_account_secret(request.auth.account, data.get("grace_hours"))
        return Response(AccountSecretSerializer(obj).data)
