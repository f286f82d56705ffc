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


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "outreach.api.authentication.ApiKeyAuthentication"
    name = ["ApiKey", "Bearer", "SendblueKeyId", "SendblueSecret"]
    priority = 1

    def get_security_requirement(self, auto_schema):
        return [{"ApiKey": []}, {"Bearer": []}, {"SendblueKeyId": [], "SendblueSecret": []}]

    def get_security_definition(self, auto_schema):
        return [
            {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            {"type": "http", "scheme": "bearer", "description": "<key_id>.<secret>"},
            {"type": "apiKey", "in": "header", "name": "sb-api-key-id"},
            {"type": "apiKey", "in": "header", "name": "sb-api-secret-key"},
        ]
