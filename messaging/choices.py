from django.db import models


class Provider(models.TextChoices):
    SANDBOX = "sandbox", "Sandbox (simulated carrier)"
    BLUEBUBBLES = "bluebubbles", "BlueBubbles (real iMessage via a Mac)"
