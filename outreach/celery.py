"""The Celery application. Tasks are thin: they call services with primary keys."""
import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_init

from . import logs, metrics

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach.settings")

app = Celery("outreach")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

task_prerun.connect(logs.task_started, dispatch_uid="outreach-log-task-started")
task_postrun.connect(logs.task_finished, dispatch_uid="outreach-log-task-finished")
task_prerun.connect(metrics.task_started, dispatch_uid="outreach-metrics-task-started")
task_postrun.connect(metrics.task_finished, dispatch_uid="outreach-metrics-task-finished")
worker_init.connect(metrics.serve_worker_metrics, dispatch_uid="outreach-metrics-worker")
