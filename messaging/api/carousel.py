"""``POST /api/send-carousel`` (Sendblue dialect): 2 to 20 images to one number, as one
message the phone shows as a carousel."""
from __future__ import annotations

from rest_framework import serializers
from rest_framework.response import Response

from messaging.choices import EventSource, SendStyle
from messaging.services.carousel import CAROUSEL_MAX, CAROUSEL_MIN, carousel_problems, send_carousel

from .sendblue import TAGS, SendblueView, errors
from .serializers import REPLY_TO, STYLE_ERROR, BlankCharField, SendblueSendResponse
from .views import ForegroundSend, send_schema


class CarouselRequest(serializers.Serializer):
    number = serializers.CharField(help_text="Recipient (E.164).")
    from_number = serializers.CharField(help_text="The line that sends it (E.164).")
    media_urls = serializers.JSONField(
        help_text=f"{CAROUSEL_MIN} to {CAROUSEL_MAX} public http(s) image URLs (.png .jpg .gif .heic .webp).",
    )
    send_style = serializers.ChoiceField(
        choices=SendStyle.choices, required=False, allow_blank=True, allow_null=True, default="",
        error_messages={"invalid_choice": STYLE_ERROR},
    )
    status_callback = BlankCharField(help_text="URL that receives the message body on every status change.")
    reply_to = REPLY_TO

    def validate_send_style(self, value):
        return value or ""

    def validate_media_urls(self, value):
        problems = carousel_problems(value)
        if problems:
            raise serializers.ValidationError(list(problems.values()))
        return value


@send_schema(
    "send_carousel", TAGS, CarouselRequest, {200: SendblueSendResponse, **errors(400, 409, 422)},
    "Queue a carousel: 2 to 20 images to one number in one message (the first is its media_url).",
)
class SendCarousel(ForegroundSend, SendblueView):
    send_request = CarouselRequest

    def send(self, data: dict) -> Response:
        message = send_carousel(
            self.account, number=data["number"], media_urls=data["media_urls"], from_number=data["from_number"],
            send_style=data["send_style"], status_callback=data["status_callback"], reply_to=data["reply_to"],
            source=EventSource.API, dialect=self.wire_dialect,
        )
        body = SendblueSendResponse(message, context=self.get_serializer_context()).data
        return Response({**body, "media_urls": data["media_urls"]})
