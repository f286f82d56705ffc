"""``POST /api/v1/sandbox/inbound``: play the customer on a sandbox line (v1 dialect)."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from messaging.choices import Provider
from messaging.models import Line, Message
from messaging.payloads import iso
from messaging.services import is_opted_out, simulate_inbound
from outreach.choices import Family
from outreach.exceptions import InvalidInput, NotFound
from outreach.phones import to_e164


class SandboxInboundRequest(serializers.Serializer):
    # "from" is a Python keyword: declared through the class namespace.
    locals()["from"] = serializers.CharField(
        max_length=254, help_text="Who writes: an E.164 number or an Apple ID email (the customer)."
    )
    to = serializers.CharField(
        max_length=32, required=False, allow_blank=True,
        help_text="The sandbox line written to (E.164); default: the account's first active sandbox line.",
    )
    body = serializers.CharField(max_length=18995, help_text="The text. STOP, START... work as on a real line.")


class SandboxInboundResponse(serializers.Serializer):
    id = serializers.UUIDField(help_text="The received message's id (message_handle).")
    direction = serializers.ChoiceField(choices=["inbound"])
    status = serializers.ChoiceField(choices=["received"])
    locals()["from"] = serializers.CharField()
    to = serializers.CharField()
    body = serializers.CharField()
    optedOut = serializers.BooleanField(help_text="Whether the sender is now opted out (after STOP).")
    createdAt = serializers.DateTimeField()


class SandboxError(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


def inbound_body(message: Message, opted_out: bool) -> dict:
    return {
        "id": str(message.handle), "direction": "inbound", "status": "received",
        "from": message.from_number, "to": message.to_number, "body": message.content,
        "optedOut": opted_out, "createdAt": iso(message.created_at),
    }


class SandboxInbound(APIView):
    scope_family = Family.MESSAGES

    @extend_schema(
        operation_id="v1_sandbox_inbound", tags=["sandbox"], request=SandboxInboundRequest,
        responses={
            201: SandboxInboundResponse,
            404: OpenApiResponse(SandboxError, description="No such sandbox line in your account."),
            422: OpenApiResponse(SandboxError, description="The body fails validation; errors says where."),
        },
    )
    def post(self, request):
        """Simulate a customer's message to one of your sandbox lines: it is received like
        a real one (conversation, contact, ``message.received`` webhook, STOP/START)."""
        account = request.auth.account
        data = SandboxInboundRequest(data=request.data)
        if not data.is_valid():
            raise serializers.ValidationError(data.errors)
        values = data.validated_data
        message = simulate_inbound(account, self._line(account, values.get("to", "")), values["from"], values["body"])
        return Response(inbound_body(message, is_opted_out(account, message.number)), status=status.HTTP_201_CREATED)

    @staticmethod
    def _line(account, number: str) -> Line:
        lines = Line.objects.filter(account=account, provider=Provider.SANDBOX, active=True)
        if number:
            line = lines.filter(number=to_e164(number, field="to")).first()
            if line is None:
                raise NotFound(f"{number} is not an active sandbox line of your account.")
            return line
        line = lines.order_by("number").first()
        if line is None:
            raise InvalidInput("Your account has no active sandbox line; add one first.", field="to")
        return line
