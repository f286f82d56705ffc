"""Console pages of messaging, mounted at /messages/."""
from django.urls import path

from .bluebubbles_webhook import bluebubbles_webhook
from .views_bluebubbles import line_settings as bluebubbles_line, test_line as bluebubbles_test

app_name = "messaging"
urlpatterns = [
    path("lines/<int:pk>/bluebubbles/", bluebubbles_line, name="line-bluebubbles"),
    path("lines/<int:pk>/bluebubbles/test", bluebubbles_test, name="line-bluebubbles-test"),
    path("providers/bluebubbles/<int:line_id>/<str:token>/", bluebubbles_webhook, name="bluebubbles-webhook"),
]
