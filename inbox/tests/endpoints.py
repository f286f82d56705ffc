"""This app's rows of the scope matrix: (method, route) -> resource family. Conversations'
work, notes, labels and canned replies are the messages family."""
ENDPOINTS: dict[tuple[str, str], str] = {
    ("GET", "api/v1/conversations"): "messages",
    ("PATCH", "api/v1/conversations"): "messages",
    ("GET", "api/v1/conversations/<int:pk>"): "messages",
    ("PATCH", "api/v1/conversations/<int:pk>"): "messages",
    ("GET", "api/v1/conversations/<int:pk>/notes"): "messages",
    ("POST", "api/v1/conversations/<int:pk>/notes"): "messages",
    ("GET", "api/v1/labels"): "messages",
    ("POST", "api/v1/labels"): "messages",
    ("GET", "api/v1/labels/<int:pk>"): "messages",
    ("PATCH", "api/v1/labels/<int:pk>"): "messages",
    ("DELETE", "api/v1/labels/<int:pk>"): "messages",
    ("GET", "api/v1/canned-replies"): "messages",
    ("POST", "api/v1/canned-replies"): "messages",
    ("GET", "api/v1/canned-replies/<int:pk>"): "messages",
    ("PATCH", "api/v1/canned-replies/<int:pk>"): "messages",
    ("DELETE", "api/v1/canned-replies/<int:pk>"): "messages",
}
