from django.apps import AppConfig


class BlueBubblesConfig(AppConfig):
    """BlueBubbles is an installed app only so Django finds its console templates
    (``templates/bluebubbles/``) and its ``connect_bluebubbles`` command; it has no models."""

    name = "messaging.providers.bluebubbles"
    label = "bluebubbles"
