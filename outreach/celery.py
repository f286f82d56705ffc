"""The Celery application. Tasks are thin: they call services with primary keys."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach.settings")

app = Celery("outreach")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
