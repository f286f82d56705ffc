"""Sendblue-dialect chat actions that send no content of their own: ``POST /api/mark-read``
(a read receipt for a 1:1 conversation) and ``POST /api/v2/contacts/verify`` (a
verification text to a number; served here because it sends a message, which the contacts
app cannot)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from messaging import services
from messaging.choices import EventSource, Status
from outreach.exceptions import InvalidInput

from .sendblue import SendblueView, errors

MarkReadRequest = inline_serializer("MarkReadRequest", {
    "number": serializers.CharField(help_text="The customer of the conversation (E.164)."),
    "from_number": serializers.CharField(help_text="The line the conversation is on (E.164)."),
})
MarkReadResponse = inline_serializer("MarkReadResponse", {
    "status": serializers.CharField(), "number": serializers.CharField(), "from_number": serializers.CharField(),
    "read_receipt_sent": serializers.BooleanField(
        help_text="Whether the line's network was told (false: it has no read receipts, e.g. SMS or AppleScript)."),
})
VerifyRequest = inline_serializer("ContactVerifyRequest", {"number": serializers.CharField()})
VerifyResponse = inline_serializer("ContactVerifyResponse", {
    "status": serializers.CharField(help_text="OK, or DECLINED when the number opted out."),
    "number": serializers.CharField(), "message_handle": serializers.UUIDField(),
})
#: The verification text (``{name}``: the account's name).
VERIFY_TEXT = "{name} would like to text you at this number. Reply YES to confirm, or STOP to opt out."


def body_of(request) -> dict:
    if not isinstance(request.data, dict):
        raise InvalidInput("The body must be a JSON object.")
    return request.data


class MarkRead(SendblueView):
    @extend_schema(operation_id="mark_read", tags=["messages (Sendblue)"], request=MarkReadRequest,
                   responses={200: MarkReadResponse, **errors(400, 404)})
    def post(self, request):
        """Mark the conversation with ``number`` on the line ``from_number`` read: its unread
        count here is cleared and the customer's phone shows "Read" where the line's network
        has read receipts (BlueBubbles with the Private API; the sandbox records it)."""
        data = body_of(request)
        conversation, told = services.send_read_receipt(self.account, data.get("number"), data.get("from_number"))
        return Response({"status": "OK", "number": conversation.address, "from_number": conversation.line.number,
                         "read_receipt_sent": told})


class ContactVerify(SendblueView):
    @extend_schema(operation_id="v2_contacts_verify", tags=["contacts (Sendblue)"], request=VerifyRequest,
                   responses={200: VerifyResponse, **errors(400)})
    def post(self, request):
        """Send a verification text to ``number`` (from the contact's line, else the least
        busy one): it asks the person to reply YES, or STOP to opt out."""
        number = body_of(request).get("number")
        if not isinstance(number, str) or not number.strip():
            raise InvalidInput("number is required (E.164, e.g. +15551234567).", field="number")
        message = services.send(
            self.account, to=number, content=VERIFY_TEXT.format(name=self.account.name),
            source=EventSource.API, dialect=self.wire_dialect,
        )
        return Response({
            "status": "DECLINED" if message.status == Status.DECLINED else "OK",
            "number": message.number, "message_handle": str(message.handle),
        })
