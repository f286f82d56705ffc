"""``POST /api/send-reaction``: a tapback on one of the account's messages, from the line its
conversation is on (Sendblue dialect: its credentials and error shape)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from messaging import services
from messaging.choices import Tapback
from outreach.exceptions import InvalidInput

from .sendblue import SendblueView

ReactionRequest = inline_serializer("SendReactionRequest", {
    "message_handle": serializers.CharField(help_text="The message to react to (yours or a customer's)."),
    "reaction": serializers.ChoiceField(choices=Tapback.values),
    "part_index": serializers.IntegerField(required=False, default=0, help_text="Which part; 0 (default) is the first."),
})
ReactionResponse = inline_serializer("SendReactionResponse", {
    "status": serializers.CharField(), "message_handle": serializers.CharField(),
    "reaction": serializers.CharField(), "part_index": serializers.IntegerField(),
})


class SendReaction(SendblueView):
    @extend_schema(operation_id="send_reaction", tags=["messages (Sendblue)"], request=ReactionRequest,
                   responses={200: ReactionResponse})
    def post(self, request):
        """React to a message that reached the other side: love, like, dislike, laugh,
        emphasize or question (a new reaction replaces the line's earlier one)."""
        data = request.data if isinstance(request.data, dict) else {}
        handle = data.get("message_handle")
        if not isinstance(handle, str) or not handle:
            raise InvalidInput("message_handle is required: the message to react to.", field="message_handle")
        reaction = services.send_reaction(
            self.account, handle, data.get("reaction"), part_index=data.get("part_index", 0)
        )
        return Response({"status": "OK", "message_handle": handle, "reaction": reaction.kind,
                         "part_index": reaction.part_index})
