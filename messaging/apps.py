from django.apps import AppConfig
from django.conf import settings

from outreach import panels

from .providers.registry import periodic_tasks
from .redact import install_log_filter


class MessagingConfig(AppConfig):
    name = "messaging"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The reconciler is what makes the database queue safe: it re-wakes due work a
        # lost wake-up left behind and returns claims of dead workers.
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "messaging-reconcile",
            {"task": "messaging.tasks.reconcile", "schedule": settings.DISPATCH_RECONCILE_SECONDS},
        )
        # Each provider's own periodic work (BlueBubbles' poll, the sandbox's due reports).
        for name, entry in periodic_tasks().items():
            settings.CELERY_BEAT_SCHEDULE.setdefault(name, entry)
        # What messaging shows on other apps' pages (outreach/panels.py).
        panels.register("home", "messaging.panels.home")
        panels.register("contact", "messaging.panels.contact")
        # The BlueBubbles password is a query parameter: keep it out of urllib3's request log.
        install_log_filter()
