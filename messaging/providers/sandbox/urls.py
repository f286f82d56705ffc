"""The sandbox's API (a simulated customer writing in), mounted under /api/ by its registry entry."""
from django.urls import path

from .api import SandboxInbound

urlpatterns = [
    path("v1/sandbox/inbound", SandboxInbound.as_view(), name="api-v1-sandbox-inbound"),
]
