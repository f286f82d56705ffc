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
        # BlueBubbles posts each webhook once: its poll recovers what a missed one lost.
        from .providers.bluebubbles_tasks import BEAT_SCHEDULE as BLUEBUBBLES_BEAT

        for name, entry in BLUEBUBBLES_BEAT.items():
            settings.CELERY_BEAT_SCHEDULE.setdefault(name, entry)
        # The BlueBubbles password is a query parameter: keep it out of urllib3's request log.
        from .redact import install_log_filter

        install_log_filter()
