"""Console pages of messaging, mounted at /messages/."""
from django.urls import include, path

from . import views, views_callbacks, views_inbox, views_lines, views_log, views_retry
from .providers import registry

app_name = "messaging"

thread = [
    path("", views_inbox.inbox_page, name="thread"),
    path("messages", views_inbox.thread_messages, name="thread-messages"),
    path("live", views_inbox.thread_live, name="thread-live"),
    path("reply", views_inbox.reply, name="reply"),
    path("scheduled/<uuid:handle>/cancel", views_inbox.cancel_scheduled, name="cancel-scheduled"),
    path("messages/<uuid:handle>/react", views_inbox.react, name="react"),
    path("messages/<uuid:handle>/retry", views_retry.retry, name="retry"),
    path("simulate", views_inbox.simulate, name="simulate"),
    path("rename", views_inbox.rename_group, name="rename-group"),
]
inbox = [
    path("", views_inbox.inbox_page, name="inbox"),
    path("list", views_inbox.conversation_list, name="conversation-list"),
    path("new", views_inbox.compose, name="compose"),
    path("<int:pk>/", include(thread)),
]
log = [
    path("", views_log.message_log, name="log"),
    path("<uuid:handle>/", views_log.message_detail, name="message"),
]
dead_letters = [
    path("", views.dead_letters, name="dead-letters"),
    path("action", views.dead_letter_action, name="dead-letter-action"),
]
urlpatterns = [
    path("inbox/", include(inbox)),
    path("log/", include(log)),
    path("dead-letters/", include(dead_letters)),
    path("lines/", views.lines, name="lines"),
    path("lines/new", views_lines.line_new, name="line-new"),
    path("lines/<int:pk>/", views_lines.line_edit, name="line-edit"),
    path("lines/<int:pk>/active", views_lines.line_active, name="line-active"),
    path("settings/", views.inbox_settings, name="inbox-settings"),
    # Every provider's callbacks (BlueBubbles servers are configured with this very shape).
    path("providers/<str:name>/<int:line_id>/<str:token>/", views_callbacks.provider_callback, name="provider-callback"),
    # Each provider's own pages (registry entry ``urls``).
    *[path("", include(module)) for module in registry.url_modules("urls")],
]
