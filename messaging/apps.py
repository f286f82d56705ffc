from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        # The reconciler is what makes the database queue safe: it re-wakes due work a
        # lost wake-up left behind and returns claims of dead workers.
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "messaging-reconcile",
            {"task": "messaging.tasks.reconcile", "schedule": settings.DISPATCH_RECONCILE_SECONDS},
        )
