"""Where uploaded media and inbound attachments are stored: Django's storage API, one
setting apart.

``MEDIA_STORAGE=filesystem`` (the default) keeps files under ``MEDIA_ROOT`` on this host;
``MEDIA_STORAGE=s3`` keeps them in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2...)
through django-storages, so every web and worker host reads the same files. The bucket
stays private: files are served by the app's own unguessable-token view
(``/api/media/<token>/<name>``), never by a bucket URL, so any web host can answer for any
file. Credentials come from ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` or the
host's instance role, as boto3 finds them (never from this module, never logged).
"""
from __future__ import annotations

import environ

STATIC = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


def storages(env: environ.Env) -> dict:
    """The ``STORAGES`` setting for this environment."""
    kind = env.str("MEDIA_STORAGE", default="filesystem")
    if kind == "filesystem":
        default = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    elif kind == "s3":
        default = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options(env)}
    else:
        raise environ.ImproperlyConfigured(f"MEDIA_STORAGE must be 'filesystem' or 's3', not {kind!r}.")
    return {"default": default, "staticfiles": STATIC}


def s3_options(env: environ.Env) -> dict:
    return {
        "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "location": env.str("AWS_LOCATION", default=""),
        # Private objects, never overwritten: two uploads of "photo.png" stay two files.
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,
    }
