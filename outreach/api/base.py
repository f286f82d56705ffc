"""Building blocks for API views in every app.

A view declares ``scope_family`` (what scope it needs) and, for the Sendblue dialect,
``dialect = "sendblue"`` (error shape). ``AccountScoped`` filters its queryset by the
caller's account, so another account's object is a 404.
"""
from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class AccountScoped:
    """Mixin for generic views: the queryset is always the caller's account's rows."""

    #: Field on the model that points to the Account.
    account_field = "account"

    @property
    def account(self):
        return self.request.auth.account

    def get_queryset(self):
        return super().get_queryset().filter(**{self.account_field: self.account})


KEY_DIALECTS = (
    "Any key works in every header form. A key's dialect (`sendblue`, the default, or `arnio`) "
    "picks the status words of its Sendblue-style responses and its messages' status callbacks: "
    "Arnio's are QUEUED, SENT, DELIVERED, READ and FAILED."
)


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "outreach.api.authentication.ApiKeyAuthentication"
    name = ["ApiKey", "Bearer", "SendblueKeyId", "SendblueSecret"]
    priority = 1

    def get_security_requirement(self, auto_schema):
        return [{"ApiKey": []}, {"Bearer": []}, {"SendblueKeyId": [], "SendblueSecret": []}]

    def get_security_definition(self, auto_schema):
        return [
            {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": KEY_DIALECTS},
            {"type": "http", "scheme": "bearer", "description": "<key_id>.<secret>"},
            {"type": "apiKey", "in": "header", "name": "sb-api-key-id", "description": KEY_DIALECTS},
            {"type": "apiKey", "in": "header", "name": "sb-api-secret-key"},
        ]
