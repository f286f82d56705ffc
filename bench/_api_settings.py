"""The API bench's server settings: the product's, with the bench's URLs (``_api_urls``).
gunicorn loads it with ``DJANGO_SETTINGS_MODULE=_api_settings`` (bench/api.py)."""
from outreach.settings import *  # noqa: F403

ROOT_URLCONF = "_api_urls"
