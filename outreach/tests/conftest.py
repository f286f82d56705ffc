"""Fixtures of the outreach tests: an S3-compatible media store (moto's S3 server)."""
from __future__ import annotations

import boto3
import pytest
from moto.server import ThreadedMotoServer

from outreach.testing import free_port

BUCKET = "outreach-media"


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on a private port: a real HTTP S3 endpoint, no AWS."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint, monkeypatch):
    """An empty bucket, and MEDIA_STORAGE=s3 in the environment as an operator sets it
    (subprocesses started by the test inherit it)."""
    for name, value in {
        "MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": BUCKET, "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
    }.items():
        monkeypatch.setenv(name, value)
    bucket = boto3.resource("s3", endpoint_url=s3_endpoint, region_name="us-east-1").Bucket(BUCKET)
    bucket.create()
    yield bucket
    bucket.objects.all().delete()
    bucket.delete()
