"""Outreach: a self-hostable iMessage/SMS outreach platform."""
from .celery import app as celery_app

__all__ = ("celery_app",)
