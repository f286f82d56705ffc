from django.urls import include, path

from ..providers import registry
from . import carousel, chats, groups_v2, lines_v2, reactions, sendblue, v1, views

#: Arnio's own paths (seed 000), at the root like Arnio's: outreach/urls.py includes them.
arnio_urlpatterns = [
    path("send-message", sendblue.ArnioSendMessage.as_view(), name="arnio-send-message"),
    path("send-group-message", sendblue.ArnioSendGroupMessage.as_view(), name="arnio-send-group-message"),
]

#: Paths under ``v2/contacts/`` served by messaging (they send messages): outreach/urls.py
#: includes them before the contacts app's, whose ``v2/contacts/<phone_number>`` would take them.
contacts_urlpatterns = [
    path("v2/contacts/verify", chats.ContactVerify.as_view(), name="api-v2-contacts-verify"),
]

urlpatterns = [
    path("v1/lines", views.LineList.as_view(), name="api-lines"),
    path("v2/lines/state", lines_v2.LineStateV2.as_view(), name="api-v2-lines-state"),
    path("v2/lines/usage", lines_v2.LineUsageV2.as_view(), name="api-v2-lines-usage"),
    path("v2/lines/contact-status", lines_v2.LineContactStatusV2.as_view(), name="api-v2-lines-contact-status"),
    # Sendblue dialect (seeds 000-002)
    path("send-message", sendblue.SendMessage.as_view(), name="api-send-message"),
    path("send-group-message", sendblue.SendGroupMessage.as_view(), name="api-send-group-message"),
    path("status", sendblue.MessageStatus.as_view(), name="api-status"),
    path("v2/messages", sendblue.MessageList.as_view(), name="api-v2-messages"),
    path("v2/messages/<str:message_id>", sendblue.MessageDetail.as_view(), name="api-v2-message"),
    path("v2/groups/<str:group_id>", groups_v2.GroupDetailV2.as_view(), name="api-v2-group"),
    path("v2/groups/<str:group_id>/name", groups_v2.GroupNameV2.as_view(), name="api-v2-group-name"),
    path("v2/groups/<str:group_id>/photo", groups_v2.GroupPhotoV2.as_view(), name="api-v2-group-photo"),
    path("modify-group", groups_v2.ModifyGroup.as_view(), name="api-modify-group"),
    path("evaluate-service", sendblue.EvaluateService.as_view(), name="api-evaluate-service"),
    path("send-reaction", reactions.SendReaction.as_view(), name="api-send-reaction"),
    path("send-carousel", carousel.SendCarousel.as_view(), name="api-send-carousel"),
    path("mark-read", chats.MarkRead.as_view(), name="api-mark-read"),
    path("send-typing-indicator", sendblue.SendTypingIndicator.as_view(), name="api-send-typing-indicator"),
    path("upload-media-object", sendblue.UploadMediaObject.as_view(), name="api-upload-media-object"),
    # Public by an unguessable token: phones fetch uploaded media from here.
    path("media/<uuid:token>/<str:filename>", views.media_object, name="api-media-object"),
    # v1 dialect (seed 004). Fixed paths before <message_id> ones, so no word is taken for an id.
    path("v1/messages", v1.MessageListCreate.as_view(), name="api-v1-messages"),
    path("v1/messages/queue/stats", v1.QueueStats.as_view(), name="api-v1-queue-stats"),
    path("v1/messages/<str:message_id>", v1.MessageDetailV1.as_view(), name="api-v1-message"),
    path("v1/messages/<str:message_id>/status", v1.MessageStatusV1.as_view(), name="api-v1-message-status"),
    path(
        "v1/messages/<str:message_id>/attachments", v1.MessageAttachments.as_view(),
        name="api-v1-message-attachments",
    ),
    path("v1/messages/<str:message_id>/retry", v1.RetryMessage.as_view(), name="api-v1-message-retry"),
    # Each provider's own API (registry entry ``api_urls``).
    *[path("", include(module)) for module in registry.url_modules("api_urls")],
]
