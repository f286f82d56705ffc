from django.apps import AppConfig
from django.utils.module_loading import import_string

from outreach import panels

from .providers.base import attach_host
from .redact import install_log_filter


class MessagingConfig(AppConfig):
    name = "messaging"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # What messaging shows on other apps' pages (outreach/panels.py).
        panels.register("home", "messaging.panels.home")
        panels.register("contact", "messaging.panels.contact")
        panels.register("api-contact-lines", "messaging.panels.contact_lines")
        # Past the account's message retention (outreach/retention.py; it reads models, so
        # it is loaded here, once the apps are).
        # Queue depth, oldest due message and dead letters, read at scrape time (messaging/metrics.py).
        import_string("outreach.metrics.register")(import_string("messaging.metrics.QueueCollector")())
        register_purger = import_string("outreach.retention.register")
        register_purger("messaging.messages", "messaging.retention.purge_messages")
        register_purger("messaging.media_objects", "messaging.retention.purge_media_objects")
        # The BlueBubbles password is a query parameter: keep it out of urllib3's request log.
        install_log_filter()
        # What providers may ask of the core (providers/base.py, Host).
        attach_host("messaging.provider_host.CoreHost")
