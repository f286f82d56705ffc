"""This app's rows of the scope matrix: (method, route) -> resource family."""
W = "webhooks"
ENDPOINTS: dict[tuple[str, str], str] = {
    ("GET", "api/v1/webhooks"): W,
    ("POST", "api/v1/webhooks"): W,
    ("POST", "api/v1/webhooks/signing-secret/rotate"): W,
    ("POST", "api/v1/webhooks/replay"): W,
    ("GET", "api/v1/webhooks/<int:pk>"): W,
    ("PUT", "api/v1/webhooks/<int:pk>"): W,
    ("PATCH", "api/v1/webhooks/<int:pk>"): W,
    ("DELETE", "api/v1/webhooks/<int:pk>"): W,
    ("GET", "api/v1/webhooks/<int:pk>/deliveries"): W,
    ("POST", "api/v1/webhooks/<int:pk>/deliveries/<int:delivery_pk>/replay"): W,
    ("POST", "api/v1/webhooks/<int:pk>/replay"): W,
    ("POST", "api/v1/webhooks/<int:pk>/test"): W,
    ("POST", "api/v1/webhooks/<int:pk>/rotate-secret"): W,
    ("GET", "api/v2/events"): "account",
    ("GET", "api/account/webhooks"): W,
    ("POST", "api/account/webhooks"): W,
    ("PUT", "api/account/webhooks"): W,
    ("DELETE", "api/account/webhooks"): W,
}
