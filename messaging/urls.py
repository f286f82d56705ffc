"""Console pages of messaging, mounted at /messages/."""
from django.urls import path

from . import views, views_callbacks, views_inbox, views_log
from .providers.bluebubbles.attachment_view import bluebubbles_attachment
from .providers.bluebubbles.views import line_settings as bluebubbles_line
from .providers.bluebubbles.views import test_line as bluebubbles_test

app_name = "messaging"
urlpatterns = [
    path("inbox/", views_inbox.inbox_page, name="inbox"),
    path("inbox/list", views_inbox.conversation_list, name="conversation-list"),
    path("inbox/new", views_inbox.compose, name="compose"),
    path("inbox/<int:pk>/", views_inbox.inbox_page, name="thread"),
    path("inbox/<int:pk>/messages", views_inbox.thread_messages, name="thread-messages"),
    path("inbox/<int:pk>/reply", views_inbox.reply, name="reply"),
    path("inbox/<int:pk>/simulate", views_inbox.simulate, name="simulate"),
    path("log/", views_log.message_log, name="log"),
    path("log/<uuid:handle>/", views_log.message_detail, name="message"),
    path("dead-letters/", views.dead_letters, name="dead-letters"),
    path("dead-letters/action", views.dead_letter_action, name="dead-letter-action"),
    path("lines/", views.lines, name="lines"),
    path("lines/<int:pk>/bluebubbles/", bluebubbles_line, name="line-bluebubbles"),
    path("lines/<int:pk>/bluebubbles/test", bluebubbles_test, name="line-bluebubbles-test"),
    path("providers/bluebubbles/attachments/<str:token>", bluebubbles_attachment, name="bluebubbles-attachment"),
    # Every provider's callbacks (BlueBubbles servers are configured with this very shape).
    path("providers/<str:name>/<int:line_id>/<str:token>/", views_callbacks.provider_callback, name="provider-callback"),
]
