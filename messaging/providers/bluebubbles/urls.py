"""BlueBubbles' console pages and attachment files, mounted under /messages/ by its registry
entry (names in the ``messaging`` namespace)."""
from django.urls import path

from .attachment_view import bluebubbles_attachment
from .views import line_settings, test_line

urlpatterns = [
    path("lines/<int:pk>/bluebubbles/", line_settings, name="line-bluebubbles"),
    path("lines/<int:pk>/bluebubbles/test", test_line, name="line-bluebubbles-test"),
    path("providers/bluebubbles/attachments/<str:token>", bluebubbles_attachment, name="bluebubbles-attachment"),
]
