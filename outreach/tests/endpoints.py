"""The core's rows of the scope matrix: (method, route) -> resource family.

Every app keeps such a table in ``<app>/tests/endpoints.py``; ``test_scope_matrix``
fails when an API route is in none of them.
"""
ENDPOINTS = {
    ("GET", "api/v1/account"): "account",
    ("GET", "api/v1/account/retention"): "account",
    ("PATCH", "api/v1/account/retention"): "account",
}
