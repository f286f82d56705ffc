from celery import shared_task

from . import services


@shared_task(name="inbox.tasks.wake_snoozed", ignore_result=True)
def wake_snoozed() -> int:
    """Beat's sweep: snoozed conversations whose time came open again."""
    return services.wake_snoozed()
