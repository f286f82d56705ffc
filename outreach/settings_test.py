"""Settings for the test suite: the real PostgreSQL and Redis at their local addresses.

``TEST_DATABASE_URL`` and ``REDIS_URL`` override them. Tests never fall back to SQLite.
Under pytest-xdist each worker has its own of each (outreach/testing_parallel.py).
"""
import os

from .testing_parallel import isolate as isolate_xdist_worker

os.environ["DATABASE_URL"] = os.environ.get(
    "TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/outreach"
)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
isolate_xdist_worker()  # under pytest-xdist: this worker's Redis database and var/ (testing_parallel)
os.environ.setdefault("SANDBOX_DELAY_SECONDS", "0")
os.environ.setdefault("WEBHOOKS_ALLOW_PRIVATE_TARGETS", "true")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("DEBUG", "false")
# A queue of this test session alone, so parallel runs never take each other's tasks.
os.environ.setdefault("CELERY_QUEUE", f"outreach-test-{os.getpid()}")
os.environ.setdefault("SECURE_COOKIES", "false")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Media as MEDIA_STORAGE says (the two-host test sets s3); static files unhashed.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# whitenoise warns at every request when STATIC_ROOT is missing (tests never collectstatic).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
