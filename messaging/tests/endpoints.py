"""This app's rows of the scope matrix: (method, route) -> resource family."""
ENDPOINTS: dict[tuple[str, str], str] = {
    ("GET", "api/v1/lines"): "messages",
    ("POST", "api/send-message"): "messages",
    ("POST", "api/send-group-message"): "messages",
    ("GET", "api/status"): "messages",
    ("GET", "api/v2/messages"): "messages",
    ("GET", "api/v2/messages/<str:message_id>"): "messages",
    ("GET", "api/evaluate-service"): "messages",
    ("POST", "api/send-typing-indicator"): "messages",
    ("POST", "api/upload-media-object"): "messages",
    ("GET", "api/v1/messages"): "messages",
    ("POST", "api/v1/messages"): "messages",
    ("GET", "api/v1/messages/queue/stats"): "messages",
    ("GET", "api/v1/messages/<str:message_id>/status"): "messages",
    ("GET", "api/v1/messages/<str:message_id>/attachments"): "messages",
    ("POST", "api/v1/messages/<str:message_id>/retry"): "messages",
    ("POST", "api/v1/sandbox/inbound"): "messages",
}
